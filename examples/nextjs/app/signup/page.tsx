import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { ActionForm } from '../action-form';
import { signUpAction } from '../actions';

export default async function SignUpPage() {
  if (await getSession()) redirect('/dashboard');
  return (
    <section className="card narrow">
      <h1>Sign up</h1>
      <ActionForm action={signUpAction} submitLabel="Sign up">
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password <small>(15 characters or more)</small>
          <input name="password" type="password" autoComplete="new-password" minLength={15} required />
        </label>
        <label>
          Name <small>(optional)</small>
          <input name="name" autoComplete="name" />
        </label>
      </ActionForm>
      <p>
        Have an account? <Link href="/login">Log in</Link>
      </p>
    </section>
  );
}
