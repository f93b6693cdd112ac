import type { User } from '@portcullis/client';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { useSessionState } from '../../hooks/use-session-state.js';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';

/** Props of {@link useEmailVerification} and {@link EmailVerification}. */
export interface EmailVerificationProps {
  /** The `token` query parameter of the emailed link; without it, the signed-in user's status. */
  token?: string;
  /**
   * Verify as soon as the page shows (default true). The server never verifies on the link's GET,
   * so mail scanners that fetch links use nothing; `false` waits for a click on "Verify" instead.
   */
  autoVerify?: boolean;
  /** Called once the address is verified. */
  onVerified?(user: User): void;
  /** A "Continue" link shown once verified. */
  continueHref?: string;
  /** A "Sign in" link for a signed-out visitor whose link failed. */
  signInHref?: string;
  labels?: Partial<EmailVerificationLabels>;
  className?: string;
}

/** What {@link useEmailVerification} returns. */
export interface EmailVerificationState {
  /**
   * `ready` (a token, waiting for "Verify"), `verifying`, `verified`, `failed` (the link is
   * expired, used or unknown), or without a token: `loading`, `unverified` (signed in, not yet
   * verified), `signed-out`.
   */
  status: 'loading' | 'ready' | 'verifying' | 'verified' | 'failed' | 'unverified' | 'signed-out';
  /** The address concerned, when known. */
  email: string | null;
  verify: AsyncAction<[], unknown>;
  verifyError: unknown;
  /** Whether a new link can be mailed: signed in and not verified. */
  canResend: boolean;
  resend: AsyncAction<[], unknown>;
  resendError: unknown;
  /** A new link went out. */
  resent: boolean;
}

/**
 * Verifying an email address: the emailed link's token (`POST /email/verify`), and a new link for
 * the signed-in user whose address is not verified (`POST /email/verification`).
 */
export function useEmailVerification(props: EmailVerificationProps = {}): EmailVerificationState {
  const client = usePortcullisClient();
  const { token, onVerified } = props;
  const autoVerify = props.autoVerify ?? true;
  const session = useSessionState();
  const user = session.data?.user ?? null;
  const [verifiedUser, setVerifiedUser] = useState<User | null>(null);
  const [resent, setResent] = useState(false);

  const verify = useAsyncAction(async () => {
    if (!token) return;
    const answer = await client.email.verify({ token });
    setVerifiedUser(answer.user);
    onVerified?.(answer.user);
  });
  const resend = useAsyncAction(async () => {
    await client.email.requestVerification({});
    setResent(true);
  });
  const { run: runVerify } = verify;
  useEffect(() => {
    // a second mount in StrictMode finds the first run pending and adds no request
    if (token && autoVerify) void runVerify();
  }, [token, autoVerify, runVerify]);

  const status = statusOf({
    token,
    autoVerify,
    verifiedUser,
    verify,
    sessionStatus: session.status,
    userVerified: Boolean(user?.emailVerifiedAt),
  });
  return {
    status,
    email: verifiedUser?.email ?? user?.email ?? null,
    verify,
    verifyError: status === 'failed' ? verify.error : undefined,
    canResend:
      session.status === 'authenticated' &&
      !user?.emailVerifiedAt &&
      (status === 'failed' || status === 'unverified'),
    resend,
    resendError: resend.error,
    resent,
  };
}

function statusOf(input: {
  token: string | undefined;
  autoVerify: boolean;
  verifiedUser: User | null;
  verify: AsyncAction<[], unknown>;
  sessionStatus: 'loading' | 'authenticated' | 'unauthenticated';
  userVerified: boolean;
}): EmailVerificationState['status'] {
  if (input.verifiedUser) return 'verified';
  if (input.token) {
    if (input.verify.isPending) return 'verifying';
    // a used link of an address that is verified by now: the person clicked twice
    if (input.verify.error !== undefined) return input.userVerified ? 'verified' : 'failed';
    return input.autoVerify ? 'verifying' : 'ready';
  }
  if (input.sessionStatus === 'loading') return 'loading';
  if (input.sessionStatus === 'unauthenticated') return 'signed-out';
  return input.userVerified ? 'verified' : 'unverified';
}

/** Visible texts of {@link EmailVerification}. */
export interface EmailVerificationLabels {
  title: string;
  ready: string;
  verify: string;
  verifying: string;
  verified: string;
  continue: string;
  unverified(email: string): ReactNode;
  resend: string;
  resent(email: string): ReactNode;
  signedOut: string;
  signIn: string;
}

const EMAIL_VERIFICATION_LABELS: EmailVerificationLabels = {
  title: 'Verify your email',
  ready: 'Confirm that this address is yours.',
  verify: 'Verify',
  verifying: 'Verifying your email address…',
  verified: 'Your email address is verified.',
  continue: 'Continue',
  unverified: (email) => (
    <>
      <strong>{email}</strong> is not verified yet. Open the link we emailed you, or ask for a new one.
    </>
  ),
  resend: 'Resend verification email',
  resent: (email) => (
    <>
      A new link is on its way to <strong>{email}</strong>.
    </>
  ),
  signedOut: 'Sign in to ask for a new verification link.',
  signIn: 'Sign in',
};

/**
 * The page an email verification link opens (with `token`), or the signed-in user's
 * verification status with "Resend verification email" (without).
 *
 * @example
 * <EmailVerification token={searchParams.token} continueHref="/dashboard" />
 */
export function EmailVerification(props: EmailVerificationProps) {
  const labels = { ...EMAIL_VERIFICATION_LABELS, ...props.labels };
  const state = useEmailVerification(props);
  const verifyErrorId = useId();
  const resendErrorId = useId();
  return (
    <div className={props.className ?? 'pc-card pc-auth-verify-email'}>
      <h2 className="pc-card-title">{labels.title}</h2>
      {state.status === 'verifying' ? (
        <output className="pc-hint pc-auth-status">{labels.verifying}</output>
      ) : null}
      {state.status === 'ready' ? (
        <div className="pc-form">
          <p className="pc-hint">{labels.ready}</p>
          <button
            type="button"
            className="pc-button pc-button-primary"
            disabled={state.verify.isPending}
            onClick={() => void state.verify.run()}
          >
            {labels.verify}
          </button>
        </div>
      ) : null}
      {state.status === 'verified' ? (
        <>
          <output className="pc-success pc-auth-status">{labels.verified}</output>
          {props.continueHref ? (
            <a className="pc-button pc-button-primary" href={props.continueHref}>
              {labels.continue}
            </a>
          ) : null}
        </>
      ) : null}
      {state.status === 'failed' ? <ErrorMessage error={state.verifyError} id={verifyErrorId} /> : null}
      {state.status === 'unverified' && state.email ? <p>{labels.unverified(state.email)}</p> : null}
      {state.status === 'signed-out' ||
      (state.status === 'failed' && !state.canResend && props.signInHref) ? (
        <p className="pc-hint">
          {labels.signedOut} {props.signInHref ? <a href={props.signInHref}>{labels.signIn}</a> : null}
        </p>
      ) : null}
      {state.canResend ? (
        state.resent && state.email ? (
          <output className="pc-success pc-auth-status">{labels.resent(state.email)}</output>
        ) : (
          <div className="pc-auth-alternative">
            <button
              type="button"
              className="pc-button"
              disabled={state.resend.isPending}
              aria-describedby={state.resendError ? resendErrorId : undefined}
              onClick={() => void state.resend.run()}
            >
              {labels.resend}
            </button>
            <ErrorMessage error={state.resendError} id={resendErrorId} />
          </div>
        )
      ) : null}
    </div>
  );
}
