'use client';

// The account pages: the parts of UserProfile, placed on two pages.

import { Pending } from './pending';

/** /account/profile: name and email status, sessions. */
export function ProfileScreen() {
  return (
    <div className="app-stack">
      <Pending component="UserProfile" />
      <Pending component="SessionList" />
    </div>
  );
}

/** /account/security: password, two-factor authentication, passkeys. */
export function SecurityScreen() {
  return (
    <div className="app-stack">
      <Pending component="ChangePasswordForm" />
      <Pending component="TotpSetup" />
      <Pending component="PasskeyList" />
    </div>
  );
}
