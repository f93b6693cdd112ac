import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthPage } from '../_components/auth-page';
import { ResetPasswordScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Choose a new password' };

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string }>;
}) {
  const { token } = await searchParams;
  return (
    <AuthPage title="Choose a new password">
      {token ? (
        <ResetPasswordScreen token={token} />
      ) : (
        <p role="alert" className="pc-card">
          This page needs the link from the reset email.{' '}
          <Link href="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </AuthPage>
  );
}
