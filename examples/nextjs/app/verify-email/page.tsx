import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '../_components/auth-card';
import { VerifyEmailScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Verify your email' };

export default async function VerifyEmailPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string }>;
}) {
  const { token } = await searchParams;
  return (
    <AuthCard title="Verify your email" footer={<Link href="/dashboard">Go to your dashboard</Link>}>
      {/* without a token the component offers to send the link again to a signed-in user */}
      <VerifyEmailScreen token={token ?? ''} />
    </AuthCard>
  );
}
