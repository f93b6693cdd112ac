import type { Metadata } from 'next';
import Link from 'next/link';
import { AcceptInvitationScreen } from '../../_components/auth-screens';

export const metadata: Metadata = { title: 'Join an organization' };

// Not behind the proxy: a visitor without an account sees who invited them, then signs up or in
// with this page as `next`, and comes back to accept.
export default async function AcceptInvitationPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string }>;
}) {
  const { token } = await searchParams;
  return (
    <div className="app-narrow">
      <h1 className="app-visually-hidden">Join an organization</h1>
      {token ? (
        <AcceptInvitationScreen token={token} />
      ) : (
        <p role="alert" className="pc-card">
          This page needs the link from your invitation. <Link href="/dashboard">Go to your dashboard</Link>.
        </p>
      )}
    </div>
  );
}
