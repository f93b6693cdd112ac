import type { Metadata } from 'next';
import { requireUser } from '@/lib/page-session';
import { SecurityScreen } from '../../_components/account-screens';

export const metadata: Metadata = { title: 'Security' };

export default async function SecurityPage() {
  await requireUser('/account/security');
  return (
    <>
      <header className="app-page-header">
        <h1>Security</h1>
        <p className="app-muted">Password, two-factor authentication and passkeys.</p>
      </header>
      <SecurityScreen />
    </>
  );
}
