import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { localPath } from '@/lib/org-paths';
import { AuthCard } from '../_components/auth-card';
import { SignInScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = localPath((await searchParams).next) ?? '/dashboard';
  if (await getSession()) redirect(next);
  return (
    <AuthCard
      title="Sign in to Acme Cloud"
      footer={
        <>
          <Link href="/forgot-password">Forgot your password?</Link>
          <span>
            New here? <Link href={`/sign-up?next=${encodeURIComponent(next)}`}>Create an account</Link>
          </span>
        </>
      }
    >
      <SignInScreen next={next} />
    </AuthCard>
  );
}
