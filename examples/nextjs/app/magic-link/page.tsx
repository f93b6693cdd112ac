import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthPage } from '../_components/auth-page';
import { MagicLinkScreen } from '../_components/auth-screens';

export const metadata: Metadata = { title: 'Signing you in' };

/** Where the emailed sign-in links land (the server's default `emailLinks.magicLinkUrl`). */
export default async function MagicLinkPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <AuthPage title="Signing you in">
      {token ? (
        <MagicLinkScreen token={token} />
      ) : (
        <p role="alert" className="pc-card">
          This page needs the link from the sign-in email. <Link href="/sign-in">Sign in</Link>.
        </p>
      )}
    </AuthPage>
  );
}
