import Link from 'next/link';
import { getAuth, requireSession } from '@/lib/auth';
import { ActionForm } from '../action-form';
import {
  createTenantAction,
  revokeOtherSessionsAction,
  revokeSessionAction,
  signOutAction,
} from '../actions';

export const metadata = { title: 'Dashboard · Portcullis' };

export default async function DashboardPage() {
  // proxy.ts already sent visitors without a cookie to /login; this is the real check
  const { user, session } = await requireSession({ redirectTo: '/login?returnTo=/dashboard' });
  const auth = await getAuth();
  const [sessions, tenants] = await Promise.all([
    auth.api.listSessions(user.id),
    auth.api.listTenants(user.id),
  ]);

  return (
    <>
      <section className="card">
        <h1>Dashboard</h1>
        <p>
          Signed in as <strong data-testid="user-email">{user.email}</strong>
          {user.name ? ` (${user.name})` : null}
        </p>
        <p>
          <Link href="/dashboard/security">Two-factor authentication</Link>
        </p>
        <form action={signOutAction}>
          <button type="submit">Sign out</button>
        </form>
      </section>

      <section className="card">
        <h2>Sessions</h2>
        <ul className="sessions">
          {sessions.map((s) => (
            <li key={s.id}>
              <span>
                {s.userAgent ?? 'unknown device'} · since {formatTime(s.createdAt)} · last seen{' '}
                {formatTime(s.lastSeenAt)}
                {s.ip ? ` · ${s.ip}` : null}
              </span>
              {s.id === session.id ? (
                <em>this browser</em>
              ) : (
                <form action={revokeSessionAction}>
                  <input type="hidden" name="sessionId" value={s.id} />
                  <button type="submit">Revoke</button>
                </form>
              )}
            </li>
          ))}
        </ul>
        {sessions.length > 1 ? (
          <form action={revokeOtherSessionsAction}>
            <button type="submit">Sign out everywhere else</button>
          </form>
        ) : null}
      </section>

      <section className="card">
        <h2>Tenants</h2>
        {tenants.items.length === 0 ? (
          <p>No tenants yet.</p>
        ) : (
          <ul data-testid="tenants">
            {tenants.items.map((t) => (
              <li key={t.id}>
                <strong>{t.name}</strong> <code>{t.slug}</code> · {t.userPool} pool
              </li>
            ))}
          </ul>
        )}
        <ActionForm action={createTenantAction} submitLabel="Create tenant" className="inline">
          <label>
            Name
            <input name="name" required />
          </label>
          <label>
            Slug
            <input name="slug" required />
          </label>
        </ActionForm>
      </section>
    </>
  );
}

function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
