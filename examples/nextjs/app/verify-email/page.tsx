import type { Metadata } from 'next';
import { AuthPage } from '../_components/auth-page';
import { VerifyEmailScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Verify your email' };

export default async function VerifyEmailPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string }>;
}) {
  const { token } = await searchParams;
  return (
    <AuthPage title="Verify your email">
      {/* without a token the component shows the signed-in user's status and offers to send the link again */}
      <VerifyEmailScreen token={token} />
    </AuthPage>
  );
}
