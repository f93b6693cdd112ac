import '@portcullis/react/styles.css';
import './globals.css';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { getInitialSession } from '@/lib/auth';
import { devMailboxEnabled } from '@/lib/dev-mailbox';
import { AppHeader } from './_components/app-header';
import { Providers } from './_components/providers';

export const metadata: Metadata = {
  title: { default: 'Acme Cloud · Portcullis example', template: '%s · Acme Cloud' },
  description: 'A multi-tenant SaaS on Portcullis: organizations, members, roles, policies, API keys',
};

/**
 * Every page renders with the session the server read for this request, so the first client
 * render equals the server's: no loading flash, no /session fetch on hydration.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const initialSession = await getInitialSession();
  return (
    <html lang="en">
      <body>
        <Providers initialSession={initialSession}>
          <AppHeader />
          <main className="app-main">{children}</main>
          {devMailboxEnabled() ? (
            <footer className="app-footer">
              Development: mails are kept in the <a href="/dev/mailbox">dev mailbox</a>.
            </footer>
          ) : null}
        </Providers>
      </body>
    </html>
  );
}
