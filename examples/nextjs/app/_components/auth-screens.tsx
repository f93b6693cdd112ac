'use client';

// The signed-out pages' client parts: each renders one @portcullis/react component and turns its
// callbacks into navigation (the components know no router).

import {
  AcceptInvitation,
  EmailVerification,
  LoginForm,
  MagicLinkVerification,
  PasswordResetForm,
  PasswordResetRequest,
  SignupForm,
} from '@portcullis/react';
import { useRouter } from 'next/navigation';
import { localPath, orgPath } from '@/lib/org-paths';

const withNext = (path: string, next: string) =>
  next === '/dashboard' ? path : `${path}?next=${encodeURIComponent(next)}`;

/** /sign-in: password, passkey, magic link and OAuth, then the second factor when one is due. */
export function SignInScreen({ next }: { next: string }) {
  const router = useRouter();
  return (
    <LoginForm
      onSignedIn={() => {
        router.replace(next);
        // server components rendered for the signed-out visitor are stale now
        router.refresh();
      }}
      forgotPasswordHref="/forgot-password"
      signUpHref={withNext('/sign-up', next)}
    />
  );
}

/** /sign-up: name, email, password; the new user is signed in (or told to check their email). */
export function SignUpScreen({ next }: { next: string }) {
  const router = useRouter();
  return (
    <SignupForm
      onSignedUp={() => {
        router.replace(next);
        router.refresh();
      }}
      signInHref={withNext('/sign-in', next)}
    />
  );
}

/** /forgot-password: the same confirmation whether the address has an account or not. */
export function ForgotPasswordScreen() {
  return <PasswordResetRequest signInHref="/sign-in" />;
}

/** /reset-password?token=… (the link of the reset mail). */
export function ResetPasswordScreen({ token }: { token: string }) {
  return <PasswordResetForm token={token} signInHref="/sign-in" requestNewLinkHref="/forgot-password" />;
}

/** /verify-email?token=… (the link of the verification mail); without a token, the status and "send again". */
export function VerifyEmailScreen({ token }: { token: string | undefined }) {
  return (
    <EmailVerification
      {...(token ? { token } : {})}
      continueHref="/dashboard"
      signInHref="/sign-in?next=%2Fverify-email"
    />
  );
}

/** /magic-link?token=… (the emailed sign-in link). */
export function MagicLinkScreen({ token }: { token: string }) {
  const router = useRouter();
  return (
    <MagicLinkVerification
      token={token}
      signInHref="/sign-in"
      onSignedIn={(_session, redirectTo) => {
        router.replace(localPath(redirectTo) ?? '/dashboard');
        router.refresh();
      }}
    />
  );
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
