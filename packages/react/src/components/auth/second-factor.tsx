import { isPortcullisClientError, type SessionData } from '@portcullis/client';
import { type FormEvent, useId } from 'react';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { Field } from './field.js';
import { type FormField, unclaimedError, useFormField } from './form-field.js';
import { completeSignInWithPasskey, isCeremonyCancelled, usePasskeySupport } from './passkey-ceremonies.js';

/** A sign-in that answered `{ mfaRequired, challengeId, methods }`: the second factor is due. */
export interface SecondFactorChallenge {
  challengeId: string;
  methods: ReadonlyArray<'totp' | 'recovery_code' | 'passkey'>;
}

/** Props of {@link useSecondFactor} and {@link SecondFactor}. */
export interface SecondFactorProps {
  challenge: SecondFactorChallenge;
  /** Called once signed in, with the new session. */
  onSignedIn?(session: SessionData | null): void;
  /** "Start over": back to the first step (the challenge expired, or the person chose another way). */
  onRestart?(): void;
  labels?: Partial<SecondFactorLabels>;
  className?: string;
}

/** What {@link useSecondFactor} returns. */
export interface SecondFactorState {
  challenge: SecondFactorChallenge;
  /** The "Code" field: a TOTP code or a recovery code (told apart by their shape). */
  code: FormField;
  /** For the `<form>`: submits the code. */
  formProps: { onSubmit(event: FormEvent<HTMLFormElement>): void };
  verify: AsyncAction<[], unknown>;
  /** The code's error that is not the field's (rate limited, the challenge expired). */
  verifyError: unknown;
  /** Whether "Sign in with a passkey" applies: the server offers it and the browser can. */
  canUsePasskey: boolean;
  passkey: AsyncAction<[], unknown>;
  passkeyError: unknown;
  /** The challenge expired or was used up: only starting over helps. */
  expired: boolean;
}

/**
 * The second step of a sign-in (`POST /mfa/verify`, or a passkey): one "Code" field that takes a
 * 6-digit authenticator code or a recovery code, and the passkey when the server offers it.
 */
export function useSecondFactor(props: SecondFactorProps): SecondFactorState {
  const client = usePortcullisClient();
  const { challenge, onSignedIn } = props;
  const passkeySupported = usePasskeySupport();
  const signedIn = () => onSignedIn?.(client.session.getSnapshot().data);

  const verify = useAsyncAction(async () => {
    const method = methodOf(code.value, challenge.methods);
    await client.mfa.verify({ challengeId: challenge.challengeId, method, code: code.value.trim() });
    signedIn();
  });
  const code = useFormField('code', { error: verify.error, codes: { invalid_mfa_code: null }, hint: true });
  const passkey = useAsyncAction(async () => {
    await completeSignInWithPasskey(client, challenge.challengeId);
    signedIn();
  });
  const expired = [verify.error, passkey.error].some((error) =>
    isPortcullisClientError(error, 'mfa_challenge_invalid'),
  );
  return {
    challenge,
    code,
    formProps: {
      onSubmit(event) {
        event.preventDefault();
        void verify.run();
      },
    },
    verify,
    verifyError: unclaimedError(verify.error, [code]),
    canUsePasskey: passkeySupported && challenge.methods.includes('passkey'),
    passkey,
    passkeyError: isCeremonyCancelled(passkey.error) ? undefined : passkey.error,
    expired,
  };
}

// a TOTP code is 6 digits; a recovery code is 16 letters and digits in groups (abcd-efgh-…)
function methodOf(code: string, methods: SecondFactorChallenge['methods']): 'totp' | 'recovery_code' {
  const looksLikeTotp = /^\d{6}$/.test(code.replace(/\s+/g, ''));
  if (looksLikeTotp && methods.includes('totp')) return 'totp';
  return methods.includes('recovery_code') ? 'recovery_code' : 'totp';
}

/** Visible texts of {@link SecondFactor}. */
export interface SecondFactorLabels {
  title: string;
  code: string;
  codeHint: string;
  recoveryCodeHint: string;
  verify: string;
  passkey: string;
  restart: string;
}

const SECOND_FACTOR_LABELS: SecondFactorLabels = {
  title: 'Two-step verification',
  code: 'Code',
  codeHint: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  recoveryCodeHint: 'Enter one of your recovery codes.',
  verify: 'Verify',
  passkey: 'Sign in with a passkey',
  restart: 'Start over',
};

/** The default look of {@link useSecondFactor}. */
export function SecondFactor(props: SecondFactorProps) {
  const labels = { ...SECOND_FACTOR_LABELS, ...props.labels };
  const state = useSecondFactor(props);
  const verifyErrorId = useId();
  const passkeyErrorId = useId();
  const codeOffered = state.challenge.methods.some((method) => method !== 'passkey');
  return (
    <div className={props.className ?? 'pc-auth-second-factor'}>
      <h2 className="pc-card-title">{labels.title}</h2>
      {codeOffered ? (
        <form className="pc-form" noValidate {...state.formProps}>
          <Field
            field={state.code}
            label={labels.code}
            hint={state.challenge.methods.includes('totp') ? labels.codeHint : labels.recoveryCodeHint}
            autoComplete="one-time-code"
            spellCheck={false}
            required
            autoFocus
          />
          <button
            type="submit"
            className="pc-button pc-button-primary"
            disabled={state.verify.isPending || state.expired}
            aria-describedby={state.verifyError ? verifyErrorId : undefined}
          >
            {labels.verify}
          </button>
          <ErrorMessage error={state.verifyError} id={verifyErrorId} />
        </form>
      ) : null}
      {state.canUsePasskey ? (
        <div className="pc-auth-alternative">
          <button
            type="button"
            className="pc-button"
            disabled={state.passkey.isPending || state.expired}
            aria-describedby={state.passkeyError ? passkeyErrorId : undefined}
            onClick={() => void state.passkey.run()}
          >
            {labels.passkey}
          </button>
          <ErrorMessage error={state.passkeyError} id={passkeyErrorId} />
        </div>
      ) : null}
      {props.onRestart ? (
        <button type="button" className="pc-button pc-auth-link-button" onClick={props.onRestart}>
          {labels.restart}
        </button>
      ) : null}
    </div>
  );
}
