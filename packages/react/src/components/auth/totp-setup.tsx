import type { SetupTotpResponse } from '@portcullis/client';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useTotp } from '../../hooks/use-account.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { useOnUserChange } from '../shared/use-on-user-change.js';
import { Field } from './field.js';
import { type FormField, unclaimedError, useFormField } from './form-field.js';
import { QrCode } from './qr-code.js';
import { RecoveryCodes, type RecoveryCodesLabels } from './recovery-codes.js';
import { type StepUp, StepUpDialog, useStepUp } from './use-step-up.js';

/** Props of {@link useTotpSetup} and {@link TotpSetup}. */
export interface TotpSetupProps {
  /** Called once TOTP is on (the recovery codes are showing). */
  onEnabled?(): void;
  /** Called once TOTP is off. */
  onDisabled?(): void;
  labels?: Partial<TotpSetupLabels>;
  className?: string;
}

/** What {@link useTotpSetup} returns. */
export interface TotpSetupState {
  /**
   * `loading`; `off`; `enrolling` (the QR code and secret are showing, waiting for a first code);
   * `recovery-codes` (new codes showing, once); `on`.
   */
  status: 'loading' | 'off' | 'enrolling' | 'recovery-codes' | 'on';
  recoveryCodesRemaining: number | undefined;
  /** The pending enrolment's secret and `otpauth://` URI, in the `enrolling` step. */
  enrolment: SetupTotpResponse | null;
  /** "Set up authenticator app" (`POST /mfa/totp/setup`). */
  start: AsyncAction<[], unknown>;
  /** The enrolment's "Code" field. */
  code: FormField;
  /** For the code `<form>`: turns TOTP on with the code (`POST /mfa/totp/confirm`). */
  confirmFormProps: { onSubmit(event: FormEvent<HTMLFormElement>): void; noValidate: true };
  confirm: AsyncAction<[], unknown>;
  confirmError: unknown;
  /** Abandons the enrolment (it stays pending on the server until replaced). */
  cancel(): void;
  /** "Turn off" (`DELETE /mfa/totp`), for a `ConfirmButton`. */
  disable(): Promise<void>;
  /** New recovery codes (`POST /mfa/recovery-codes`), for a `ConfirmButton`. */
  regenerate(): Promise<void>;
  /** Recovery codes to show once, in the `recovery-codes` step. */
  recoveryCodes: string[] | null;
  /** "I have saved them": the codes leave the page. */
  dismissRecoveryCodes(): void;
  stepUp: StepUp;
}

/** Turning TOTP on (QR code, first code, recovery codes) and off, and new recovery codes. */
export function useTotpSetup(props: TotpSetupProps = {}): TotpSetupState {
  const totp = useTotp();
  const stepUp = useStepUp();
  const { onEnabled, onDisabled } = props;
  const [enrolment, setEnrolment] = useState<SetupTotpResponse | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  useOnUserChange(() => {
    setEnrolment(null);
    setRecoveryCodes(null);
  });

  const start = useAsyncAction(async () => {
    setEnrolment(await stepUp.run(() => totp.setup()));
  });
  const confirm = useAsyncAction(async () => {
    const { recoveryCodes: codes } = await stepUp.run(() => totp.confirm(code.value.replace(/\s+/g, '')));
    setEnrolment(null);
    code.setValue('');
    setRecoveryCodes(codes);
    onEnabled?.();
  });
  const code = useFormField('code', { error: confirm.error, codes: { invalid_mfa_code: null } });

  let status: TotpSetupState['status'];
  if (recoveryCodes) status = 'recovery-codes';
  else if (enrolment) status = 'enrolling';
  else if (!totp.status) status = 'loading';
  else status = totp.status.totpEnabled ? 'on' : 'off';

  return {
    status,
    recoveryCodesRemaining: totp.status?.recoveryCodesRemaining,
    enrolment,
    start,
    code,
    confirmFormProps: {
      noValidate: true,
      onSubmit(event) {
        event.preventDefault();
        void confirm.run();
      },
    },
    confirm,
    confirmError: unclaimedError(confirm.error, [code]),
    cancel() {
      setEnrolment(null);
      code.setValue('');
      confirm.reset();
    },
    async disable() {
      await stepUp.run(() => totp.disable());
      onDisabled?.();
    },
    async regenerate() {
      const { recoveryCodes: codes } = await stepUp.run(() => totp.regenerateRecoveryCodes());
      setRecoveryCodes(codes);
    },
    recoveryCodes,
    dismissRecoveryCodes: () => setRecoveryCodes(null),
    stepUp,
  };
}

/** Visible texts of {@link TotpSetup}. */
export interface TotpSetupLabels {
  title: string;
  loading: string;
  off: string;
  onBadge: string;
  on: string;
  recoveryCodesLeft(count: number): ReactNode;
  start: string;
  scan: string;
  qrCode: string;
  secret: string;
  code: string;
  codeHint: string;
  verify: string;
  cancel: string;
  turnOff: string;
  turnOffQuestion: string;
  regenerate: string;
  regenerateQuestion: string;
  recoveryCodes?: Partial<RecoveryCodesLabels>;
}

const TOTP_SETUP_LABELS: TotpSetupLabels = {
  title: 'Two-factor authentication',
  loading: 'Loading…',
  off: 'Add a second step to your sign-in: a code from an authenticator app on your phone.',
  onBadge: 'On',
  on: 'Authenticator app is on: signing in asks for a code from it.',
  recoveryCodesLeft: (count) => `${count} recovery ${count === 1 ? 'code' : 'codes'} left.`,
  start: 'Set up authenticator app',
  scan: 'Scan this QR code with your authenticator app (1Password, Google Authenticator, Authy…), then enter the code it shows.',
  qrCode: 'QR code for your authenticator app',
  secret: 'Or enter this key by hand:',
  code: 'Code',
  codeHint: 'The 6-digit code your app shows now.',
  verify: 'Verify',
  cancel: 'Cancel',
  turnOff: 'Turn off',
  turnOffQuestion: 'Turn off two-factor authentication? Your recovery codes stop working too.',
  regenerate: 'New recovery codes',
  regenerateQuestion: 'Replace your recovery codes? The current ones stop working.',
};

/** A TOTP secret in groups of four, easier to type. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Two-factor authentication with an authenticator app: "Set up authenticator app" shows a QR code
 * and the secret, a first code turns it on, then the recovery codes show once (Copy, Download).
 * When on: "Turn off" and new recovery codes. Asks for the password first when the server wants
 * a fresh sign-in.
 *
 * @example
 * <TotpSetup onEnabled={() => toast('Two-factor authentication is on')} />
 */
export function TotpSetup(props: TotpSetupProps) {
  const labels = { ...TOTP_SETUP_LABELS, ...props.labels };
  const state = useTotpSetup(props);
  const titleId = useId();
  const startErrorId = useId();
  const confirmErrorId = useId();
  return (
    <section className={props.className ?? 'pc-card pc-auth-totp'} aria-labelledby={titleId}>
      <h2 id={titleId} className="pc-card-title">
        {labels.title}
      </h2>
      {state.status === 'loading' ? <p className="pc-hint">{labels.loading}</p> : null}
      {state.status === 'off' ? (
        <div className="pc-form">
          <p className="pc-hint">{labels.off}</p>
          <div className="pc-auth-alternative">
            <button
              type="button"
              className="pc-button pc-button-primary"
              disabled={state.start.isPending}
              aria-describedby={state.start.error ? startErrorId : undefined}
              onClick={() => void state.start.run()}
            >
              {labels.start}
            </button>
            <ErrorMessage error={state.start.error} id={startErrorId} />
          </div>
        </div>
      ) : null}
      {state.status === 'enrolling' && state.enrolment ? (
        <div className="pc-auth-enrolment">
          <p className="pc-hint">{labels.scan}</p>
          <QrCode value={state.enrolment.otpauthUri} label={labels.qrCode} />
          <p className="pc-hint">
            {labels.secret}{' '}
            <code className="pc-secret pc-auth-totp-secret">{groupSecret(state.enrolment.secret)}</code>
          </p>
          <form className="pc-form" {...state.confirmFormProps}>
            <Field
              field={state.code}
              label={labels.code}
              hint={labels.codeHint}
              inputMode="numeric"
              autoComplete="one-time-code"
              required
            />
            <div className="pc-auth-actions">
              <button
                type="submit"
                className="pc-button pc-button-primary"
                disabled={state.confirm.isPending}
                aria-describedby={state.confirmError ? confirmErrorId : undefined}
              >
                {labels.verify}
              </button>
              <button type="button" className="pc-button" onClick={state.cancel}>
                {labels.cancel}
              </button>
            </div>
            <ErrorMessage error={state.confirmError} id={confirmErrorId} />
          </form>
        </div>
      ) : null}
      {state.status === 'recovery-codes' && state.recoveryCodes ? (
        <RecoveryCodes
          codes={state.recoveryCodes}
          onDone={state.dismissRecoveryCodes}
          {...(labels.recoveryCodes ? { labels: labels.recoveryCodes } : {})}
        />
      ) : null}
      {state.status === 'on' ? (
        <div className="pc-form">
          <p>
            <span className="pc-badge pc-auth-badge-on">{labels.onBadge}</span> {labels.on}
          </p>
          {state.recoveryCodesRemaining !== undefined ? (
            <p className="pc-hint">{labels.recoveryCodesLeft(state.recoveryCodesRemaining)}</p>
          ) : null}
          <div className="pc-auth-actions">
            <ConfirmButton
              className="pc-button"
              question={labels.regenerateQuestion}
              onConfirm={state.regenerate}
            >
              {labels.regenerate}
            </ConfirmButton>
            <ConfirmButton question={labels.turnOffQuestion} onConfirm={state.disable}>
              {labels.turnOff}
            </ConfirmButton>
          </div>
        </div>
      ) : null}
      <StepUpDialog stepUp={state.stepUp} />
    </section>
  );
}
