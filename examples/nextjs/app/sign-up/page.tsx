import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { localPath } from '@/lib/org-paths';
import { AuthPage } from '../_components/auth-page';
import { SignUpScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = localPath((await searchParams).next) ?? '/dashboard';
  if (await getSession()) redirect(next);
  return (
    <AuthPage
      title="Create your account"
      intro="Start with a free organization; invite your team when you are ready."
    >
      <SignUpScreen next={next} />
    </AuthPage>
  );
}
