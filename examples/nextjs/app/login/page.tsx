import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { ActionForm } from '../action-form';
import { logInAction } from '../actions';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ returnTo?: string }> }) {
  if (await getSession()) redirect('/dashboard');
  const { returnTo } = await searchParams;
  return (
    <section className="card narrow">
      <h1>Log in</h1>
      <ActionForm action={logInAction} submitLabel="Log in">
        <input type="hidden" name="returnTo" value={typeof returnTo === 'string' ? returnTo : ''} />
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
      </ActionForm>
      <p>
        New here? <Link href="/signup">Sign up</Link>
      </p>
    </section>
  );
}
