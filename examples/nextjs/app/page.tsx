import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';

export default async function HomePage() {
  if (await getSession()) redirect('/dashboard');
  return (
    <section className="app-hero">
      <h1>Acme Cloud</h1>
      <p className="app-lead">
        A small multi-tenant SaaS built on Portcullis: organizations, members and invitations, roles and
        policies, API keys, passkeys and two-factor authentication, all from <code>@portcullis/react</code>{' '}
        components.
      </p>
      <p className="app-actions">
        <Link href="/sign-up" className="pc-button pc-button-primary">
          Create an account
        </Link>
        <Link href="/sign-in" className="pc-button">
          Sign in
        </Link>
        <Link href="/token-demo" className="pc-button">
          Token mode demo
        </Link>
      </p>
    </section>
  );
}
