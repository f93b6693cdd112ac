import type { Metadata } from 'next';
import { requireUser } from '@/lib/page-session';
import { ProfileScreen } from '../../_components/account-screens';

export const metadata: Metadata = { title: 'Profile' };

export default async function ProfilePage() {
  await requireUser('/account/profile');
  return (
    <>
      <header className="app-page-header">
        <h1>Your account</h1>
        <p className="app-muted">Your name, your email address and where you are signed in.</p>
      </header>
      <ProfileScreen />
    </>
  );
}
