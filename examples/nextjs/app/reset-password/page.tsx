import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '../_components/auth-card';
import { ResetPasswordScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Choose a new password' };

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string }>;
}) {
  const { token } = await searchParams;
  return (
    <AuthCard title="Choose a new password" footer={<Link href="/sign-in">Back to sign in</Link>}>
      {token ? (
        <ResetPasswordScreen token={token} />
      ) : (
        <p role="alert">
          This page needs the link from the reset email.{' '}
          <Link href="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </AuthCard>
  );
}
