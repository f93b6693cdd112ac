import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { usePortcullis } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { Field } from './field.js';
import { type FormField, PASSWORD_POLICY_CODES, unclaimedError, useFormField } from './form-field.js';
import { type StepUp, StepUpDialog, useStepUp } from './use-step-up.js';

/** Props of {@link useChangePasswordForm} and {@link ChangePasswordForm}. */
export interface ChangePasswordFormProps {
  /** Called after the change, with how many other sessions were signed out. */
  onChanged?(result: { revokedSessions: number }): void;
  labels?: Partial<ChangePasswordFormLabels>;
  className?: string;
}

/** What {@link useChangePasswordForm} returns. */
export interface ChangePasswordFormState {
  currentPassword: FormField;
  newPassword: FormField;
  /** Sign the other sessions out too (the server's default, and this form's). */
  revokeOtherSessions: boolean;
  setRevokeOtherSessions(value: boolean): void;
  formProps: { onSubmit(event: FormEvent<HTMLFormElement>): void; noValidate: true };
  change: AsyncAction<[], unknown>;
  formError: unknown;
  /** The last change's result, until the fields are typed in again. */
  changed: { revokedSessions: number } | null;
  /** The fresh-authentication prompt (`POST /password/change` needs a sign-in ≤ 5 minutes old). */
  stepUp: StepUp;
}

/** Changing the password (`POST /password/change`), with the step-up prompt when the server asks. */
export function useChangePasswordForm(props: ChangePasswordFormProps = {}): ChangePasswordFormState {
  const { client, cache } = usePortcullis();
  const stepUp = useStepUp();
  const [revokeOtherSessions, setRevokeOtherSessions] = useState(true);
  const [changed, setChanged] = useState<{ revokedSessions: number } | null>(null);
  const { onChanged } = props;
  const change = useAsyncAction(async () => {
    setChanged(null);
    const body = {
      currentPassword: currentPassword.value,
      newPassword: newPassword.value,
      revokeOtherSessions,
    };
    const result = await stepUp.run(() => client.password.change(body));
    currentPassword.setValue('');
    newPassword.setValue('');
    setChanged(result);
    // the other sessions are gone: a sessions list on the page must not keep showing them
    await cache.invalidate('sessions');
    onChanged?.(result);
  });
  const currentPassword = useFormField('currentPassword', {
    error: change.error,
    codes: { invalid_credentials: 'The current password is not right.' },
  });
  const newPassword = useFormField('newPassword', { error: change.error, codes: PASSWORD_POLICY_CODES });
  return {
    currentPassword,
    newPassword,
    revokeOtherSessions,
    setRevokeOtherSessions,
    formProps: {
      noValidate: true,
      onSubmit(event) {
        event.preventDefault();
        void change.run();
      },
    },
    change,
    formError: unclaimedError(change.error, [currentPassword, newPassword]),
    changed,
    stepUp,
  };
}

/** Visible texts of {@link ChangePasswordForm}. */
export interface ChangePasswordFormLabels {
  title: string;
  currentPassword: string;
  newPassword: string;
  newPasswordHint?: string;
  revokeOtherSessions: string;
  submit: string;
  changed(revokedSessions: number): ReactNode;
}

const CHANGE_PASSWORD_LABELS: ChangePasswordFormLabels = {
  title: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  revokeOtherSessions: 'Sign out of my other devices',
  submit: 'Change password',
  changed: (revoked) =>
    revoked > 0
      ? `Your password is changed, and ${revoked} other ${revoked === 1 ? 'session was' : 'sessions were'} signed out.`
      : 'Your password is changed.',
};

/**
 * Changing the password: the current one, the new one, and whether to sign out other devices;
 * asks for the password again first when the last sign-in is too old.
 *
 * @example
 * <ChangePasswordForm />
 */
export function ChangePasswordForm(props: ChangePasswordFormProps) {
  const labels = { ...CHANGE_PASSWORD_LABELS, ...props.labels };
  const state = useChangePasswordForm(props);
  const titleId = useId();
  const checkboxId = useId();
  const errorId = useId();
  return (
    <section className={props.className ?? 'pc-card pc-auth-password'} aria-labelledby={titleId}>
      <h2 id={titleId} className="pc-card-title">
        {labels.title}
      </h2>
      <form className="pc-form" {...state.formProps}>
        <Field
          field={state.currentPassword}
          label={labels.currentPassword}
          type="password"
          autoComplete="current-password"
          required
        />
        <Field
          field={state.newPassword}
          label={labels.newPassword}
          type="password"
          autoComplete="new-password"
          hint={labels.newPasswordHint}
          required
        />
        <div className="pc-auth-checkbox">
          <input
            id={checkboxId}
            type="checkbox"
            checked={state.revokeOtherSessions}
            onChange={(event) => state.setRevokeOtherSessions(event.target.checked)}
          />
          <label htmlFor={checkboxId}>{labels.revokeOtherSessions}</label>
        </div>
        <button
          type="submit"
          className="pc-button pc-button-primary"
          disabled={state.change.isPending}
          aria-describedby={state.formError ? errorId : undefined}
        >
          {labels.submit}
        </button>
        <ErrorMessage error={state.formError} id={errorId} />
        {state.changed ? (
          <output className="pc-success pc-auth-status">
            {labels.changed(state.changed.revokedSessions)}
          </output>
        ) : null}
      </form>
      <StepUpDialog stepUp={state.stepUp} />
    </section>
  );
}
