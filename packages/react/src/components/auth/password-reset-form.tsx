import { isPortcullisClientError } from '@portcullis/client';
import { type FormEvent, useId, useState } from 'react';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { Field } from './field.js';
import { type FormField, PASSWORD_POLICY_CODES, unclaimedError, useFormField } from './form-field.js';

/** Props of {@link usePasswordResetForm} and {@link PasswordResetForm}. */
export interface PasswordResetFormProps {
  /** The `token` query parameter of the emailed link. */
  token: string;
  /** Called once the password is set (every session was signed out; nobody is signed in). */
  onReset?(): void;
  /** Where to sign in with the new password, shown after success. */
  signInHref?: string;
  /** Where to ask for a new link, offered when this one is expired, used or unknown. */
  requestNewLinkHref?: string;
  labels?: Partial<PasswordResetFormLabels>;
  className?: string;
}

/** What {@link usePasswordResetForm} returns. */
export interface PasswordResetFormState {
  step: 'form' | 'done';
  password: FormField;
  formProps: { onSubmit(event: FormEvent<HTMLFormElement>): void; noValidate: true };
  reset: AsyncAction<[], unknown>;
  /** The error the password field does not show (the link is expired or used). */
  formError: unknown;
  /** The link cannot be used again: only a new one helps. */
  linkUnusable: boolean;
}

const UNUSABLE_LINK_CODES = new Set(['token_invalid', 'token_expired', 'token_used']);

/** Setting a new password with an emailed token (`POST /password/reset`). */
export function usePasswordResetForm(props: PasswordResetFormProps): PasswordResetFormState {
  const client = usePortcullisClient();
  const { token, onReset } = props;
  const [done, setDone] = useState(false);
  const reset = useAsyncAction(async () => {
    await client.password.reset({ token, password: password.value });
    setDone(true);
    onReset?.();
  });
  const password = useFormField('password', { error: reset.error, codes: PASSWORD_POLICY_CODES });
  return {
    step: done ? 'done' : 'form',
    password,
    formProps: {
      noValidate: true,
      onSubmit(event) {
        event.preventDefault();
        void reset.run();
      },
    },
    reset,
    formError: unclaimedError(reset.error, [password]),
    linkUnusable: isPortcullisClientError(reset.error) && UNUSABLE_LINK_CODES.has(reset.error.code),
  };
}

/** Visible texts of {@link PasswordResetForm}. */
export interface PasswordResetFormLabels {
  title: string;
  password: string;
  passwordHint?: string;
  submit: string;
  doneTitle: string;
  done: string;
  signIn: string;
  requestNewLink: string;
}

const PASSWORD_RESET_FORM_LABELS: PasswordResetFormLabels = {
  title: 'Set a new password',
  password: 'New password',
  submit: 'Set new password',
  doneTitle: 'Password changed',
  done: 'Your new password is set, and every device was signed out. Sign in with the new password.',
  signIn: 'Sign in',
  requestNewLink: 'Send me a new link',
};

/**
 * The page an emailed reset link opens: a new password for the token in the link.
 *
 * @example
 * <PasswordResetForm token={searchParams.token} signInHref="/sign-in" requestNewLinkHref="/forgot-password" />
 */
export function PasswordResetForm(props: PasswordResetFormProps) {
  const labels = { ...PASSWORD_RESET_FORM_LABELS, ...props.labels };
  const state = usePasswordResetForm(props);
  const errorId = useId();
  const className = props.className ?? 'pc-card pc-auth-reset';
  if (state.step === 'done') {
    return (
      <div className={className}>
        <h2 className="pc-card-title">{labels.doneTitle}</h2>
        <output className="pc-success pc-auth-status">{labels.done}</output>
        {props.signInHref ? (
          <a className="pc-button pc-button-primary" href={props.signInHref}>
            {labels.signIn}
          </a>
        ) : null}
      </div>
    );
  }
  return (
    <div className={className}>
      <h2 className="pc-card-title">{labels.title}</h2>
      <form className="pc-form" {...state.formProps}>
        <Field
          field={state.password}
          label={labels.password}
          type="password"
          autoComplete="new-password"
          hint={labels.passwordHint}
          required
        />
        <button
          type="submit"
          className="pc-button pc-button-primary"
          disabled={state.reset.isPending || state.linkUnusable}
          aria-describedby={state.formError ? errorId : undefined}
        >
          {labels.submit}
        </button>
        <ErrorMessage error={state.formError} id={errorId} />
        {state.linkUnusable && props.requestNewLinkHref ? (
          <a className="pc-auth-link" href={props.requestNewLinkHref}>
            {labels.requestNewLink}
          </a>
        ) : null}
      </form>
    </div>
  );
}
