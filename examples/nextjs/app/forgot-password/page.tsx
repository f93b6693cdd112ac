import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '../_components/auth-card';
import { ForgotPasswordScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Reset your password' };

export default function ForgotPasswordPage() {
  return (
    <AuthCard
      title="Reset your password"
      intro="We will email you a link to choose a new one."
      footer={<Link href="/sign-in">Back to sign in</Link>}
    >
      <ForgotPasswordScreen />
    </AuthCard>
  );
}
