import type { SessionData } from '@portcullis/client';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { Field } from './field.js';
import { type FormField, PASSWORD_POLICY_CODES, unclaimedError, useFormField } from './form-field.js';

/** Props of {@link useSignupForm} and {@link SignupForm}. */
export interface SignupFormProps {
  /** Called once signed up and in, with the new session (not when the server mails instead). */
  onSignedUp?(session: SessionData | null): void;
  /** Accept this invitation with the new account (`invitationToken` of `POST /signup`). */
  invitationToken?: string;
  /** Slug or id of an isolated-pool tenant to join. */
  tenant?: string;
  /** A "Sign in" link under the form. */
  signInHref?: string;
  labels?: Partial<SignupFormLabels>;
  className?: string;
}

/** What {@link useSignupForm} returns. */
export interface SignupFormState {
  /**
   * `form`, then `check-email` when the server answered 202 (it tells the outcome by mail, so
   * the page cannot say whether the address was taken).
   */
  step: 'form' | 'check-email';
  name: FormField;
  email: FormField;
  password: FormField;
  formProps: { onSubmit(event: FormEvent<HTMLFormElement>): void; noValidate: true };
  signUp: AsyncAction<[], unknown>;
  /** The error no field shows (rate limited, an invitation that expired). */
  formError: unknown;
  /** The address the server will write to, in the `check-email` step. */
  submittedEmail: string | null;
}

/** The sign-up form's behaviour (`POST /signup`): name, email, password. */
export function useSignupForm(props: SignupFormProps = {}): SignupFormState {
  const client = usePortcullisClient();
  const { invitationToken, tenant, onSignedUp } = props;
  const [step, setStep] = useState<SignupFormState['step']>('form');
  const [submittedEmail, setSubmittedEmail] = useState<string | null>(null);

  const signUp = useAsyncAction(async () => {
    const address = email.value.trim();
    const result = await client.signUp({
      email: address,
      password: password.value,
      ...(name.value.trim() ? { name: name.value.trim() } : {}),
      ...(invitationToken ? { invitationToken } : {}),
      ...(tenant ? { tenant } : {}),
    });
    if ('pending' in result) {
      setSubmittedEmail(address);
      setStep('check-email');
      return;
    }
    onSignedUp?.(client.session.getSnapshot().data);
  });
  const name = useFormField('name', { error: signUp.error });
  const email = useFormField('email', { error: signUp.error, codes: { email_taken: null } });
  const password = useFormField('password', { error: signUp.error, codes: PASSWORD_POLICY_CODES });

  return {
    step,
    name,
    email,
    password,
    formProps: {
      noValidate: true,
      onSubmit(event) {
        event.preventDefault();
        void signUp.run();
      },
    },
    signUp,
    formError: unclaimedError(signUp.error, [name, email, password]),
    submittedEmail,
  };
}

/** Visible texts of {@link SignupForm}. */
export interface SignupFormLabels {
  title: string;
  name: string;
  email: string;
  password: string;
  passwordHint?: string;
  submit: string;
  haveAccount: string;
  signIn: string;
  checkEmailTitle: string;
  checkEmail(email: string): ReactNode;
}

const SIGNUP_FORM_LABELS: SignupFormLabels = {
  title: 'Create your account',
  name: 'Name',
  email: 'Email',
  password: 'Password',
  submit: 'Sign up',
  haveAccount: 'Already have an account?',
  signIn: 'Sign in',
  checkEmailTitle: 'Check your email',
  checkEmail: (email) => (
    <>
      We sent a message to <strong>{email}</strong>. Follow it to finish signing up.
    </>
  ),
};

/**
 * The sign-up form: name, email and password; signs the new user in, or says "check your email"
 * when the server answers that way.
 *
 * @example
 * <SignupForm onSignedUp={() => router.push('/dashboard')} signInHref="/sign-in" />
 */
export function SignupForm(props: SignupFormProps) {
  const labels = { ...SIGNUP_FORM_LABELS, ...props.labels };
  const state = useSignupForm(props);
  const errorId = useId();
  const className = props.className ?? 'pc-card pc-auth-signup';
  if (state.step === 'check-email') {
    return (
      <div className={className}>
        <h2 className="pc-card-title">{labels.checkEmailTitle}</h2>
        <output className="pc-success pc-auth-status">{labels.checkEmail(state.submittedEmail ?? '')}</output>
      </div>
    );
  }
  return (
    <div className={className}>
      <h2 className="pc-card-title">{labels.title}</h2>
      <form className="pc-form" {...state.formProps}>
        <Field field={state.name} label={labels.name} autoComplete="name" />
        <Field field={state.email} label={labels.email} type="email" autoComplete="email" required />
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
          disabled={state.signUp.isPending}
          aria-describedby={state.formError ? errorId : undefined}
        >
          {labels.submit}
        </button>
        <ErrorMessage error={state.formError} id={errorId} />
      </form>
      {props.signInHref ? (
        <p className="pc-hint pc-auth-footer">
          {labels.haveAccount} <a href={props.signInHref}>{labels.signIn}</a>
        </p>
      ) : null}
    </div>
  );
}
