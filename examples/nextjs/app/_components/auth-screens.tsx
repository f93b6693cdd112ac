'use client';

// The signed-out pages' client parts: each renders one @portcullis/react component and turns its
// callbacks into navigation (the components know no router).

import { AcceptInvitation } from '@portcullis/react';
import { useRouter } from 'next/navigation';
import { orgPath } from '@/lib/org-paths';
import { Pending } from './pending';

/** /sign-in: password, passkey, magic link and OAuth, then the second factor when one is due. */
export function SignInScreen({ next }: { next: string }) {
  void next; // onSignedIn: router.replace(next) and router.refresh()
  return <Pending component="LoginForm" />;
}

/** /sign-up. */
export function SignUpScreen({ next }: { next: string }) {
  void next; // onSignedUp: router.replace(next)
  return <Pending component="SignupForm" />;
}

/** /forgot-password. */
export function ForgotPasswordScreen() {
  return <Pending component="PasswordResetRequest" />;
}

/** /reset-password?token=… (the link of the reset mail). */
export function ResetPasswordScreen({ token }: { token: string }) {
  void token;
  return <Pending component="PasswordResetForm" />;
}

/** /verify-email?token=… (the link of the verification mail). */
export function VerifyEmailScreen({ token }: { token: string }) {
  void token;
  return <Pending component="EmailVerification" />;
}

/**
 * /invitations/accept?token=… (the link an admin copied from the invite dialog): who invites you
 * where; signed out, links to sign in or up that come back here; then "Accept invitation".
 */
export function AcceptInvitationScreen({ token }: { token: string }) {
  const router = useRouter();
  const back = (t: string) => encodeURIComponent(`/invitations/accept?token=${encodeURIComponent(t)}`);
  return (
    <AcceptInvitation
      token={token}
      activate={false}
      signInHref={(t) => `/sign-in?next=${back(t)}`}
      signUpHref={(t) => `/sign-up?next=${back(t)}`}
      onAccepted={(membership) => router.push(orgPath(membership.tenantId))}
    />
  );
}
