import Link from 'next/link';
import { getSession } from '@/lib/auth';

export default async function Home() {
  const found = await getSession();
  return (
    <section className="card">
      <h1>Portcullis in the Next.js App Router</h1>
      {found ? (
        <p>
          Signed in as <strong>{found.user.email}</strong>. Go to your{' '}
          <Link href="/dashboard">dashboard</Link>.
        </p>
      ) : (
        <p>You are signed out.</p>
      )}
      <ul>
        <li>
          <Link href="/signup">Sign up</Link>: a server action creates the account and sets the session cookie
        </li>
        <li>
          <Link href="/login">Log in</Link>
        </li>
        <li>
          <Link href="/dashboard">Dashboard</Link>: protected by <code>proxy.ts</code> and{' '}
          <code>requireSession()</code>
        </li>
        <li>
          <a href="/api/auth/openapi.json">/api/auth/openapi.json</a>: the HTTP API, served by{' '}
          <code>toNextHandler()</code>
        </li>
      </ul>
    </section>
  );
}
