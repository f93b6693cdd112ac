import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { localPath } from '@/lib/org-paths';
import { AuthCard } from '../_components/auth-card';
import { SignUpScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = localPath((await searchParams).next) ?? '/dashboard';
  if (await getSession()) redirect(next);
  return (
    <AuthCard
      title="Create your account"
      intro="Start with a free organization; invite your team when you are ready."
      footer={
        <span>
          Already have an account? <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>
        </span>
      }
    >
      <SignUpScreen next={next} />
    </AuthCard>
  );
}
