import type { Metadata } from 'next';
import { requireUser } from '@/lib/page-session';
import { DashboardScreen } from '../_components/dashboard-screen';

export const metadata: Metadata = { title: 'Your organizations' };

/** Where a sign-in lands: the user's organizations, and creating one (the first, for a new user). */
export default async function DashboardPage() {
  const { user } = await requireUser('/dashboard');
  return (
    <>
      <header className="app-page-header">
        <h1>Welcome{user.name ? `, ${user.name}` : ''}</h1>
        <p className="app-muted">Pick an organization, or create one for your team.</p>
      </header>
      <DashboardScreen />
    </>
  );
}
