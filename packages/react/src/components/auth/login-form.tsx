import type { SessionData } from '@portcullis/client';
import { type FormEvent, type ReactNode, useCallback, useId, useMemo, useState } from 'react';
import { useOAuthProviders } from '../../hooks/use-account.js';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { Field } from './field.js';
import { type FormField, unclaimedError, useFormField } from './form-field.js';
import {
  isCeremonyCancelled,
  type PasskeySignInResult,
  signInWithPasskey,
  usePasskeySupport,
} from './passkey-ceremonies.js';
import { SecondFactor, type SecondFactorChallenge, type SecondFactorLabels } from './second-factor.js';

/** The ways {@link LoginForm} offers; each defaults to on (passkeys only where the browser can). */
export interface LoginMethods {
  password?: boolean;
  passkey?: boolean;
  magicLink?: boolean;
  oauth?: boolean;
}

/** Props of {@link useLoginForm} and {@link LoginForm}. */
export interface LoginFormProps {
  /** Called once signed in (after the second factor, when one was due), with the new session. */
  onSignedIn?(session: SessionData | null): void;
  /** Slug or id of an isolated-pool tenant the account belongs to. */
  tenant?: string;
  /**
   * Where an OAuth or magic-link sign-in lands afterwards (they leave the page). The server
   * accepts only its allowlisted values (`emailLinks.redirectAllowlist`, the OAuth options).
   */
  redirectTo?: string;
  methods?: LoginMethods;
  /** A "Forgot your password?" link under the password field. */
  forgotPasswordHref?: string;
  /** A "Sign up" link under the form. */
  signUpHref?: string;
  labels?: Partial<LoginFormLabels>;
  className?: string;
}

/** An OAuth provider's button: a link that starts its sign-in. */
export interface LoginProvider {
  id: string;
  name: string;
  href: string;
}

/** What {@link useLoginForm} returns. */
export interface LoginFormState {
  /** `credentials` first; `second-factor` when the sign-in needs one; `magic-link-sent` after mailing a link. */
  step: 'credentials' | 'second-factor' | 'magic-link-sent';
  email: FormField;
  password: FormField;
  /** For the password `<form>`. */
  formProps: { onSubmit(event: FormEvent<HTMLFormElement>): void; noValidate: true };
  signIn: AsyncAction<[], unknown>;
  /** The password sign-in's error that no field shows (wrong credentials, rate limited). */
  signInError: unknown;
  methods: Required<LoginMethods>;
  passkey: AsyncAction<[], unknown>;
  passkeyError: unknown;
  magicLink: AsyncAction<[], unknown>;
  magicLinkError: unknown;
  /** The address the magic link went to, in the `magic-link-sent` step. */
  magicLinkSentTo: string | null;
  providers: LoginProvider[];
  /** The pending sign-in's second factor, in the `second-factor` step. */
  challenge: SecondFactorChallenge | null;
  /** Back to the first step. */
  restart(): void;
  /** For {@link SecondFactor} in the `second-factor` step. */
  onSignedIn(): void;
}

/**
 * The sign-in form's behaviour: password (`POST /login`), a passkey, a magic link
 * (`POST /magic-link`), OAuth provider links (`GET /oauth/providers`), and the second step when
 * the sign-in answers `{ mfaRequired, challengeId, methods }`.
 */
export function useLoginForm(props: LoginFormProps = {}): LoginFormState {
  const client = usePortcullisClient();
  const { tenant, redirectTo, onSignedIn } = props;
  const passkeySupported = usePasskeySupport();
  const [step, setStep] = useState<LoginFormState['step']>('credentials');
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
  const [magicLinkSentTo, setMagicLinkSentTo] = useState<string | null>(null);

  const finish = useCallback(
    (result: PasskeySignInResult | Awaited<ReturnType<typeof client.signIn>>) => {
      if ('mfaRequired' in result && result.mfaRequired === true) {
        setChallenge({ challengeId: result.challengeId as string, methods: result.methods as never });
        setStep('second-factor');
        return;
      }
      onSignedIn?.(client.session.getSnapshot().data);
    },
    [client, onSignedIn],
  );

  const signIn = useAsyncAction(async () => {
    const result = await client.signIn({
      email: email.value.trim(),
      password: password.value,
      ...(tenant ? { tenant } : {}),
    });
    finish(result);
  });
  const passkey = useAsyncAction(async () => finish(await signInWithPasskey(client)));
  const magicLink = useAsyncAction(async () => {
    const address = email.value.trim();
    await client.magicLink.request({
      email: address,
      ...(redirectTo ? { redirectTo } : {}),
      ...(tenant ? { tenant } : {}),
    });
    setMagicLinkSentTo(address);
    setStep('magic-link-sent');
  });

  // the email field belongs to both the password sign-in and the magic link
  const email = useFormField('email', { error: signIn.error ?? magicLink.error });
  const password = useFormField('password', { error: signIn.error });

  const providersResult = useOAuthProviders();
  const methods: Required<LoginMethods> = {
    password: props.methods?.password ?? true,
    passkey: (props.methods?.passkey ?? true) && passkeySupported,
    magicLink: props.methods?.magicLink ?? true,
    oauth: props.methods?.oauth ?? true,
  };
  const providers = useMemo(
    () =>
      (providersResult.data ?? []).map((provider) => ({
        id: provider.id,
        name: provider.name,
        href: client.oauth.startUrl(provider.id, redirectTo ? { redirectTo } : undefined),
      })),
    [providersResult.data, client, redirectTo],
  );

  return {
    step,
    email,
    password,
    formProps: {
      noValidate: true,
      onSubmit(event) {
        event.preventDefault();
        void signIn.run();
      },
    },
    signIn,
    signInError: unclaimedError(signIn.error, [email, password]),
    methods,
    passkey,
    passkeyError: isCeremonyCancelled(passkey.error) ? undefined : passkey.error,
    magicLink,
    magicLinkError: unclaimedError(magicLink.error, [email]),
    magicLinkSentTo,
    providers: methods.oauth ? providers : [],
    challenge,
    restart() {
      setStep('credentials');
      setChallenge(null);
      setMagicLinkSentTo(null);
      password.setValue('');
      signIn.reset();
      magicLink.reset();
      passkey.reset();
    },
    onSignedIn: () => onSignedIn?.(client.session.getSnapshot().data),
  };
}

/** Visible texts of {@link LoginForm}. */
export interface LoginFormLabels {
  title: string;
  email: string;
  password: string;
  submit: string;
  forgotPassword: string;
  or: string;
  passkey: string;
  magicLink: string;
  /** Before a provider's name: "Continue with GitHub". */
  continueWith: string;
  noAccount: string;
  signUp: string;
  magicLinkSentTitle: string;
  /** The confirmation after mailing a link, the same whether the account exists or not. */
  magicLinkSent(email: string): ReactNode;
  useAnotherWay: string;
  secondFactor?: Partial<SecondFactorLabels>;
}

const LOGIN_FORM_LABELS: LoginFormLabels = {
  title: 'Sign in',
  email: 'Email',
  password: 'Password',
  submit: 'Sign in',
  forgotPassword: 'Forgot your password?',
  or: 'or',
  passkey: 'Sign in with a passkey',
  magicLink: 'Email me a sign-in link',
  continueWith: 'Continue with',
  noAccount: 'No account yet?',
  signUp: 'Sign up',
  magicLinkSentTitle: 'Check your email',
  magicLinkSent: (email) => (
    <>
      If an account uses <strong>{email}</strong>, a sign-in link is on its way. It works once and expires in
      a few minutes.
    </>
  ),
  useAnotherWay: 'Use another way',
};

/**
 * The sign-in form: email and password, a passkey, a magic link, OAuth providers, and the second
 * step (authenticator code, recovery code or passkey) when the account has one.
 *
 * @example
 * <LoginForm
 *   onSignedIn={() => router.push('/dashboard')}
 *   forgotPasswordHref="/forgot-password"
 *   signUpHref="/sign-up"
 * />
 */
export function LoginForm(props: LoginFormProps) {
  const labels = { ...LOGIN_FORM_LABELS, ...props.labels };
  const state = useLoginForm(props);
  const signInErrorId = useId();
  const passkeyErrorId = useId();
  const magicLinkErrorId = useId();
  const className = props.className ?? 'pc-card pc-auth-login';

  if (state.step === 'second-factor' && state.challenge) {
    return (
      <div className={className}>
        <SecondFactor
          challenge={state.challenge}
          onSignedIn={state.onSignedIn}
          onRestart={state.restart}
          {...(labels.secondFactor ? { labels: labels.secondFactor } : {})}
        />
      </div>
    );
  }
  if (state.step === 'magic-link-sent') {
    return (
      <div className={className}>
        <h2 className="pc-card-title">{labels.magicLinkSentTitle}</h2>
        <output className="pc-success pc-auth-status">
          {labels.magicLinkSent(state.magicLinkSentTo ?? '')}
        </output>
        <button type="button" className="pc-button pc-auth-link-button" onClick={state.restart}>
          {labels.useAnotherWay}
        </button>
      </div>
    );
  }

  const { methods } = state;
  const alternatives = methods.passkey || methods.magicLink || state.providers.length > 0;
  return (
    <div className={className}>
      <h2 className="pc-card-title">{labels.title}</h2>
      {methods.password || methods.magicLink ? (
        <form className="pc-form" {...state.formProps}>
          <Field
            field={state.email}
            label={labels.email}
            type="email"
            autoComplete="username webauthn"
            required
          />
          {methods.password ? (
            <>
              <Field
                field={state.password}
                label={labels.password}
                type="password"
                autoComplete="current-password"
                required
              />
              {props.forgotPasswordHref ? (
                <a className="pc-auth-link" href={props.forgotPasswordHref}>
                  {labels.forgotPassword}
                </a>
              ) : null}
              <button
                type="submit"
                className="pc-button pc-button-primary"
                disabled={state.signIn.isPending}
                aria-describedby={state.signInError ? signInErrorId : undefined}
              >
                {labels.submit}
              </button>
              <ErrorMessage error={state.signInError} id={signInErrorId} />
            </>
          ) : null}
        </form>
      ) : null}
      {alternatives ? (
        <div className="pc-auth-alternatives">
          {methods.password ? <p className="pc-auth-divider">{labels.or}</p> : null}
          {methods.passkey ? (
            <div className="pc-auth-alternative">
              <button
                type="button"
                className="pc-button"
                disabled={state.passkey.isPending}
                aria-describedby={state.passkeyError ? passkeyErrorId : undefined}
                onClick={() => void state.passkey.run()}
              >
                {labels.passkey}
              </button>
              <ErrorMessage error={state.passkeyError} id={passkeyErrorId} />
            </div>
          ) : null}
          {methods.magicLink ? (
            <div className="pc-auth-alternative">
              <button
                type="button"
                className="pc-button"
                disabled={state.magicLink.isPending}
                aria-describedby={state.magicLinkError ? magicLinkErrorId : undefined}
                onClick={() => void state.magicLink.run()}
              >
                {labels.magicLink}
              </button>
              <ErrorMessage error={state.magicLinkError} id={magicLinkErrorId} />
            </div>
          ) : null}
          {state.providers.map((provider) => (
            <a key={provider.id} className="pc-button pc-auth-provider" href={provider.href}>
              {labels.continueWith} {provider.name}
            </a>
          ))}
        </div>
      ) : null}
      {props.signUpHref ? (
        <p className="pc-hint pc-auth-footer">
          {labels.noAccount} <a href={props.signUpHref}>{labels.signUp}</a>
        </p>
      ) : null}
    </div>
  );
}
