import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { localPath } from '@/lib/org-paths';
import { AuthPage } from '../_components/auth-page';
import { SignInScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = localPath((await searchParams).next) ?? '/dashboard';
  if (await getSession()) redirect(next);
  return (
    <AuthPage title="Welcome back" intro="Sign in to Acme Cloud.">
      <SignInScreen next={next} />
    </AuthPage>
  );
}
