import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { readPendingLogin } from '@/lib/pending-login';
import { ActionForm } from '../../action-form';
import { verifyMfaAction } from '../../actions';

export const metadata = { title: 'Second step · Portcullis' };

const METHOD_LABELS = {
  totp: 'A code from my authenticator app',
  recovery_code: 'One of my recovery codes',
} as const;

/** The second step of a login: the password was right, the account's second factor is asked. */
export default async function MfaStepPage() {
  if (await getSession()) redirect('/dashboard');
  const pending = await readPendingLogin();
  if (!pending) redirect('/login');
  // this example has no passkey screens: it offers the codes (the Express example offers passkeys)
  const methods = pending.methods.filter((method) => method !== 'passkey');
  if (methods.length === 0) {
    return (
      <section className="card narrow">
        <h1>Second step</h1>
        <p>Your account's second factor is a passkey, which this example app cannot use yet.</p>
        <p>
          <Link href="/login">Start again</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card narrow">
      <h1>Second step</h1>
      <p>Your account has a second factor: prove it to finish signing in.</p>
      <ActionForm action={verifyMfaAction} submitLabel="Verify">
        <fieldset>
          <legend>Use</legend>
          {methods.map((method, index) => (
            <label key={method} className="choice">
              <input type="radio" name="method" value={method} defaultChecked={index === 0} />{' '}
              {METHOD_LABELS[method]}
            </label>
          ))}
        </fieldset>
        <label>
          Code
          <input name="code" autoComplete="one-time-code" required spellCheck={false} />
        </label>
      </ActionForm>
      <p>
        <Link href="/login">Start again</Link>
      </p>
    </section>
  );
}
