import { isPortcullisClientError } from '@portcullis/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { Dialog } from '../shared/dialog.js';
import { ErrorMessage } from '../shared/error-message.js';
import { useAsyncAction } from '../shared/use-async-action.js';
import { Field } from './field.js';
import { type FormField, unclaimedError, useFormField } from './form-field.js';
import {
  canReauthenticateWithPasskey,
  isCeremonyCancelled,
  reauthenticateWithPasskey,
  usePasskeySupport,
} from './passkey-ceremonies.js';

interface Waiter {
  action: () => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The `step_up_required` that made it wait: what a cancelled prompt rejects with. */
  error: unknown;
}

/** What {@link useStepUp} returns. */
export interface StepUp {
  /**
   * Runs `action`. When the server answers `step_up_required` (a credential change on a session
   * whose last sign-in is too old), opens the prompt, and once the person proves it is them, runs
   * `action` once more and settles with that run. Cancelling the prompt rejects with the
   * original `step_up_required`.
   */
  run<T>(action: () => Promise<T>): Promise<T>;
  /** Whether the prompt is showing. */
  isOpen: boolean;
  /** The prompt's password field. */
  password: FormField;
  /** Re-authenticates with the password, then retries the waiting actions. */
  confirm(): Promise<void>;
  /** Whether a passkey can be used instead (a browser with WebAuthn and a client with the helper). */
  canUsePasskey: boolean;
  /** Re-authenticates with a passkey, then retries the waiting actions. */
  confirmWithPasskey(): Promise<void>;
  /** Closes the prompt; the waiting actions reject with their `step_up_required`. */
  cancel(): void;
  isPending: boolean;
  /** The prompt's error that is not the password field's (a rate limit, a failed passkey). */
  error: unknown;
  /** How recent the sign-in must be, in seconds, when the server said. */
  maxAgeSeconds: number | undefined;
}

/**
 * The one place the auth components handle fresh authentication. Wrap each credential change
 * (`stepUp.run(() => client.password.change(body))`) and render `<StepUpDialog stepUp={stepUp} />`
 * once: the server's `step_up_required` becomes a password prompt in a dialog
 * (`POST /reauthenticate`) and the change is retried once.
 *
 * @example
 * const stepUp = useStepUp();
 * const remove = () => stepUp.run(() => client.passkeys.delete(id));
 * return <><ConfirmButton onConfirm={remove} question="Remove it?">Remove</ConfirmButton><StepUpDialog stepUp={stepUp} /></>;
 */
export function useStepUp(): StepUp {
  const client = usePortcullisClient();
  const [isOpen, setOpen] = useState(false);
  const [maxAgeSeconds, setMaxAgeSeconds] = useState<number | undefined>(undefined);
  const waiters = useRef<Waiter[]>([]);
  const passkeySupported = usePasskeySupport();

  const settle = useCallback(() => {
    const waiting = waiters.current.splice(0);
    setOpen(false);
    for (const waiter of waiting) waiter.action().then(waiter.resolve, waiter.reject);
  }, []);

  const reauthenticate = useAsyncAction(async (how: 'password' | 'passkey', password?: string) => {
    if (how === 'password') await client.reauthenticate({ password: password ?? '' });
    else await reauthenticateWithPasskey(client);
    settle();
  });
  const password = useFormField('password', {
    error: reauthenticate.error,
    codes: { invalid_credentials: 'That password is not right.' },
  });
  const { setValue: setPassword } = password;
  const { reset } = reauthenticate;

  const run = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (error) {
        if (!isPortcullisClientError(error, 'step_up_required')) throw error;
        const maxAge = error.problem?.maxAgeSeconds;
        setMaxAgeSeconds(typeof maxAge === 'number' ? maxAge : undefined);
        setPassword('');
        reset();
        setOpen(true);
        return new Promise<T>((resolve, reject) => {
          waiters.current.push({ action, resolve: resolve as (value: unknown) => void, reject, error });
        });
      }
    },
    [setPassword, reset],
  );

  const cancel = useCallback(() => {
    for (const waiter of waiters.current.splice(0)) waiter.reject(waiter.error);
    setOpen(false);
    setPassword('');
  }, [setPassword]);

  // a prompt left open by an unmounted component must not keep its callers waiting forever
  useEffect(
    () => () => {
      for (const waiter of waiters.current.splice(0)) waiter.reject(waiter.error);
    },
    [],
  );

  return {
    run,
    isOpen,
    password,
    async confirm() {
      // the password was for this one attempt: right or wrong, it leaves the page's state
      await reauthenticate.run('password', password.value);
      setPassword('');
    },
    canUsePasskey: passkeySupported && canReauthenticateWithPasskey(client),
    async confirmWithPasskey() {
      await reauthenticate.run('passkey');
      setPassword('');
    },
    cancel,
    isPending: reauthenticate.isPending,
    error: isCeremonyCancelled(reauthenticate.error)
      ? undefined
      : unclaimedError(reauthenticate.error, [password]),
    maxAgeSeconds,
  };
}

/** Visible texts of {@link StepUpDialog}. */
export interface StepUpDialogLabels {
  title: string;
  explanation: string;
  password: string;
  confirm: string;
  usePasskey: string;
  cancel: string;
}

const STEP_UP_LABELS: StepUpDialogLabels = {
  title: 'Confirm it is you',
  explanation: 'For your security, enter your password again to make this change.',
  password: 'Password',
  confirm: 'Confirm',
  usePasskey: 'Use a passkey',
  cancel: 'Cancel',
};

/** Props of {@link StepUpDialog}. */
export interface StepUpDialogProps {
  stepUp: StepUp;
  labels?: Partial<StepUpDialogLabels>;
}

/** The default look of {@link useStepUp}'s prompt: a modal dialog asking for the password. */
export function StepUpDialog({ stepUp, labels: overrides }: StepUpDialogProps) {
  const labels = { ...STEP_UP_LABELS, ...overrides };
  const errorId = `${stepUp.password.inputProps.id}-form-error`;
  return (
    <Dialog open={stepUp.isOpen} onClose={stepUp.cancel} title={labels.title}>
      <form
        className="pc-form"
        onSubmit={(event) => {
          event.preventDefault();
          void stepUp.confirm();
        }}
      >
        <p className="pc-hint">{labels.explanation}</p>
        <Field
          field={stepUp.password}
          label={labels.password}
          type="password"
          autoComplete="current-password"
          required
          autoFocus
        />
        <div className="pc-auth-actions">
          <button
            type="submit"
            className="pc-button pc-button-primary"
            disabled={stepUp.isPending}
            aria-describedby={stepUp.error ? errorId : undefined}
          >
            {labels.confirm}
          </button>
          {stepUp.canUsePasskey ? (
            <button
              type="button"
              className="pc-button"
              disabled={stepUp.isPending}
              onClick={() => void stepUp.confirmWithPasskey()}
            >
              {labels.usePasskey}
            </button>
          ) : null}
          <button type="button" className="pc-button" onClick={stepUp.cancel}>
            {labels.cancel}
          </button>
        </div>
        <ErrorMessage error={stepUp.error} id={errorId} />
      </form>
    </Dialog>
  );
}
