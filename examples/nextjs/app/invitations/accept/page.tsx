import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '../../_components/auth-card';
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
    <AuthCard title="Join an organization">
      {token ? (
        <AcceptInvitationScreen token={token} />
      ) : (
        <p role="alert">
          This page needs the link from your invitation. <Link href="/dashboard">Go to your dashboard</Link>.
        </p>
      )}
    </AuthCard>
  );
}
