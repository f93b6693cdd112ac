import Link from 'next/link';
import { getAuth, requireSession } from '@/lib/auth';
import { TotpSettings } from './totp-settings';

export const metadata = { title: 'Two-factor authentication · Portcullis' };

export default async function SecurityPage() {
  const { user } = await requireSession({ redirectTo: '/login?returnTo=/dashboard/security' });
  const auth = await getAuth();
  const status = await auth.api.getMfaStatus(user.id);
  return (
    <section className="card">
      <h1>Two-factor authentication</h1>
      <p data-testid="mfa-status">
        {status.totpEnabled
          ? `On: sign-ins ask for a code from your authenticator app. Recovery codes left: ${status.recoveryCodesRemaining}.`
          : 'Off: your password alone signs you in.'}
      </p>
      <TotpSettings enabled={status.totpEnabled} />
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </section>
  );
}
