'use client';

// The account pages: the parts of UserProfile, placed on two pages.

import { ChangePasswordForm, PasskeyList, TotpSetup, UserProfile } from '@portcullis/react';

/** /account/profile: name and email (with its verification), then the sessions. */
export function ProfileScreen() {
  return <UserProfile sections={{ password: false, twoFactor: false, passkeys: false }} />;
}

/** /account/security: password, two-factor authentication, passkeys. */
export function SecurityScreen() {
  return (
    <div className="app-stack">
      <ChangePasswordForm />
      <TotpSetup />
      <PasskeyList />
    </div>
  );
}
