import type { SessionData } from '@portcullis/client';
import { useEffect, useId, useState } from 'react';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { SecondFactor, type SecondFactorChallenge, type SecondFactorLabels } from './second-factor.js';

/** Props of {@link useMagicLinkVerification} and {@link MagicLinkVerification}. */
export interface MagicLinkVerificationProps {
  /** The `token` query parameter of the emailed link. */
  token: string;
  /** Sign in as soon as the page shows (default true); `false` waits for "Continue". */
  autoVerify?: boolean;
  /**
   * Called once signed in (after the second factor, when one was due), with the session and the
   * link's allowlisted `redirectTo` (null when it had none, or after a second factor).
   */
  onSignedIn?(session: SessionData | null, redirectTo: string | null): void;
  /** A "Back to sign in" link, offered when the link is expired or used. */
  signInHref?: string;
  labels?: Partial<MagicLinkVerificationLabels>;
  className?: string;
}

/** What {@link useMagicLinkVerification} returns. */
export interface MagicLinkVerificationState {
  status: 'ready' | 'verifying' | 'second-factor' | 'signed-in' | 'failed';
  verify: AsyncAction<[], unknown>;
  verifyError: unknown;
  challenge: SecondFactorChallenge | null;
  /** For {@link SecondFactor} in the `second-factor` step. */
  onSecondFactorDone(session: SessionData | null): void;
}

/** Signing in with an emailed magic link's token (`POST /magic-link/verify`), and its second step. */
export function useMagicLinkVerification(props: MagicLinkVerificationProps): MagicLinkVerificationState {
  const client = usePortcullisClient();
  const { token, onSignedIn } = props;
  const autoVerify = props.autoVerify ?? true;
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
  const [signedIn, setSignedIn] = useState(false);
  const verify = useAsyncAction(async () => {
    const answer = await client.magicLink.verify({ token });
    if ('mfaRequired' in answer) {
      setChallenge({ challengeId: answer.challengeId, methods: answer.methods });
      return;
    }
    setSignedIn(true);
    onSignedIn?.(client.session.getSnapshot().data, 'redirectTo' in answer ? answer.redirectTo : null);
  });
  const { run } = verify;
  useEffect(() => {
    if (autoVerify) void run();
  }, [autoVerify, run]);

  let status: MagicLinkVerificationState['status'];
  if (signedIn) status = 'signed-in';
  else if (challenge) status = 'second-factor';
  else if (verify.error !== undefined) status = 'failed';
  else status = verify.isPending || autoVerify ? 'verifying' : 'ready';
  return {
    status,
    verify,
    verifyError: verify.error,
    challenge,
    onSecondFactorDone(session) {
      setSignedIn(true);
      onSignedIn?.(session, null);
    },
  };
}

/** Visible texts of {@link MagicLinkVerification}. */
export interface MagicLinkVerificationLabels {
  title: string;
  ready: string;
  continue: string;
  verifying: string;
  signedIn: string;
  backToSignIn: string;
  secondFactor?: Partial<SecondFactorLabels>;
}

const MAGIC_LINK_LABELS: MagicLinkVerificationLabels = {
  title: 'Signing you in',
  ready: 'Continue to sign in with the link from your email.',
  continue: 'Continue',
  verifying: 'Checking your sign-in link…',
  signedIn: 'You are signed in.',
  backToSignIn: 'Back to sign in',
};

/**
 * The page a magic link opens: signs in with its token, asks for the second factor when the
 * account has one.
 *
 * @example
 * <MagicLinkVerification token={searchParams.token} onSignedIn={(_, to) => router.push(to ?? '/dashboard')} />
 */
export function MagicLinkVerification(props: MagicLinkVerificationProps) {
  const labels = { ...MAGIC_LINK_LABELS, ...props.labels };
  const state = useMagicLinkVerification(props);
  const errorId = useId();
  const className = props.className ?? 'pc-card pc-auth-magic-link';
  if (state.status === 'second-factor' && state.challenge) {
    return (
      <div className={className}>
        <SecondFactor
          challenge={state.challenge}
          onSignedIn={state.onSecondFactorDone}
          {...(labels.secondFactor ? { labels: labels.secondFactor } : {})}
        />
      </div>
    );
  }
  return (
    <div className={className}>
      <h2 className="pc-card-title">{labels.title}</h2>
      {state.status === 'verifying' ? (
        <output className="pc-hint pc-auth-status">{labels.verifying}</output>
      ) : null}
      {state.status === 'signed-in' ? (
        <output className="pc-success pc-auth-status">{labels.signedIn}</output>
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
            {labels.continue}
          </button>
        </div>
      ) : null}
      {state.status === 'failed' ? (
        <>
          <ErrorMessage error={state.verifyError} id={errorId} />
          {props.signInHref ? (
            <a className="pc-auth-link" href={props.signInHref}>
              {labels.backToSignIn}
            </a>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
