'use client';

import { OrganizationSwitcher, useAuth } from '@portcullis/react';
import Link from 'next/link';
import { UserMenu } from './user-menu';

/** The top bar: the brand, the organization switcher and the user menu (or sign-in links). */
export function AppHeader() {
  const { isSignedIn } = useAuth();
  return (
    <header className="app-header">
      <Link href={isSignedIn ? '/dashboard' : '/'} className="app-brand">
        <span className="app-logo" aria-hidden="true">
          ▲
        </span>
        Acme Cloud
      </Link>
      {isSignedIn ? (
        <>
          <div className="app-header-switcher">
            <OrganizationSwitcher />
          </div>
          <UserMenu />
        </>
      ) : (
        <nav className="app-header-links" aria-label="Account">
          <Link href="/sign-in">Sign in</Link>
          <Link href="/sign-up" className="pc-button pc-button-primary">
            Sign up
          </Link>
        </nav>
      )}
    </header>
  );
}
