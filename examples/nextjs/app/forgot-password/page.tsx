import type { Metadata } from 'next';
import { AuthPage } from '../_components/auth-page';
import { ForgotPasswordScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Reset your password' };

export default function ForgotPasswordPage() {
  return (
    <AuthPage title="Forgot your password?" intro="We will email you a link to choose a new one.">
      <ForgotPasswordScreen />
    </AuthPage>
  );
}
