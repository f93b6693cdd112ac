import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { Field } from './field.js';
import { type FormField, unclaimedError, useFormField } from './form-field.js';

/** Props of {@link usePasswordResetRequest} and {@link PasswordResetRequest}. */
export interface PasswordResetRequestProps {
  /** Slug or id of the isolated-pool tenant the account belongs to. */
  tenant?: string;
  /** Called after the request went through (whether or not the account exists). */
  onSent?(email: string): void;
  /** A "Back to sign in" link. */
  signInHref?: string;
  labels?: Partial<PasswordResetRequestLabels>;
  className?: string;
}

/** What {@link usePasswordResetRequest} returns. */
export interface PasswordResetRequestState {
  step: 'form' | 'sent';
  email: FormField;
  formProps: { onSubmit(event: FormEvent<HTMLFormElement>): void; noValidate: true };
  send: AsyncAction<[], unknown>;
  formError: unknown;
  /** The address the link may have gone to, in the `sent` step. */
  sentTo: string | null;
  /** Back to the form (a typo in the address). */
  restart(): void;
}

/**
 * "Forgot your password?" (`POST /password/forgot`): the server answers the same for every
 * address, and so does this: one confirmation that says nothing about whether the account exists.
 */
export function usePasswordResetRequest(props: PasswordResetRequestProps = {}): PasswordResetRequestState {
  const client = usePortcullisClient();
  const { tenant, onSent } = props;
  const [sentTo, setSentTo] = useState<string | null>(null);
  const send = useAsyncAction(async () => {
    const address = email.value.trim();
    await client.password.requestReset({ email: address, ...(tenant ? { tenant } : {}) });
    setSentTo(address);
    onSent?.(address);
  });
  const email = useFormField('email', { error: send.error });
  return {
    step: sentTo === null ? 'form' : 'sent',
    email,
    formProps: {
      noValidate: true,
      onSubmit(event) {
        event.preventDefault();
        void send.run();
      },
    },
    send,
    formError: unclaimedError(send.error, [email]),
    sentTo,
    restart: () => setSentTo(null),
  };
}

/** Visible texts of {@link PasswordResetRequest}. */
export interface PasswordResetRequestLabels {
  title: string;
  explanation: string;
  email: string;
  submit: string;
  sentTitle: string;
  sent(email: string): ReactNode;
  tryAnotherAddress: string;
  backToSignIn: string;
}

const PASSWORD_RESET_REQUEST_LABELS: PasswordResetRequestLabels = {
  title: 'Reset your password',
  explanation: 'Enter the email address of your account and we will send you a link to set a new password.',
  email: 'Email',
  submit: 'Send reset link',
  sentTitle: 'Check your email',
  sent: (email) => (
    <>
      If an account uses <strong>{email}</strong>, a link to set a new password is on its way. It works once
      and expires within an hour.
    </>
  ),
  tryAnotherAddress: 'Use another address',
  backToSignIn: 'Back to sign in',
};

/**
 * The "forgot password" form: an email address, then the same confirmation for every address.
 *
 * @example
 * <PasswordResetRequest signInHref="/sign-in" />
 */
export function PasswordResetRequest(props: PasswordResetRequestProps) {
  const labels = { ...PASSWORD_RESET_REQUEST_LABELS, ...props.labels };
  const state = usePasswordResetRequest(props);
  const errorId = useId();
  const back = props.signInHref ? (
    <p className="pc-hint pc-auth-footer">
      <a href={props.signInHref}>{labels.backToSignIn}</a>
    </p>
  ) : null;
  return (
    <div className={props.className ?? 'pc-card pc-auth-reset-request'}>
      {state.step === 'sent' ? (
        <>
          <h2 className="pc-card-title">{labels.sentTitle}</h2>
          <output className="pc-success pc-auth-status">{labels.sent(state.sentTo ?? '')}</output>
          <button type="button" className="pc-button pc-auth-link-button" onClick={state.restart}>
            {labels.tryAnotherAddress}
          </button>
        </>
      ) : (
        <>
          <h2 className="pc-card-title">{labels.title}</h2>
          <form className="pc-form" {...state.formProps}>
            <p className="pc-hint">{labels.explanation}</p>
            <Field field={state.email} label={labels.email} type="email" autoComplete="email" required />
            <button
              type="submit"
              className="pc-button pc-button-primary"
              disabled={state.send.isPending}
              aria-describedby={state.formError ? errorId : undefined}
            >
              {labels.submit}
            </button>
            <ErrorMessage error={state.formError} id={errorId} />
          </form>
        </>
      )}
      {back}
    </div>
  );
}
