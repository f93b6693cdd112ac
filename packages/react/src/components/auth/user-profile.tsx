import type { User } from '@portcullis/client';
import { useId, useState } from 'react';
import { useSessionState } from '../../hooks/use-session-state.js';
import { usePortcullisClient } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { ChangePasswordForm, type ChangePasswordFormLabels } from './change-password-form.js';
import { PasskeyList, type PasskeyListLabels } from './passkey-list.js';
import { SessionList, type SessionListLabels } from './session-list.js';
import { TotpSetup, type TotpSetupLabels } from './totp-setup.js';

/** The parts of {@link UserProfile}; each defaults to shown. */
export interface UserProfileSections {
  profile?: boolean;
  sessions?: boolean;
  password?: boolean;
  twoFactor?: boolean;
  passkeys?: boolean;
}

/** Props of {@link useUserProfile} and {@link UserProfile}. */
export interface UserProfileProps {
  sections?: UserProfileSections;
  labels?: Partial<UserProfileLabels>;
  className?: string;
}

/** What {@link useUserProfile} returns. */
export interface UserProfileState {
  /** The signed-in user; null while loading or signed out. */
  user: User | null;
  isLoading: boolean;
  emailVerified: boolean;
  /** Mails a new verification link (`POST /email/verification`). */
  resendVerification: AsyncAction<[], unknown>;
  /** A new link went out. */
  verificationSent: boolean;
}

/** The signed-in user's name and email, with the verification status and a resend. */
export function useUserProfile(): UserProfileState {
  const client = usePortcullisClient();
  const session = useSessionState();
  const [verificationSent, setVerificationSent] = useState(false);
  const resendVerification = useAsyncAction(async () => {
    await client.email.requestVerification({});
    setVerificationSent(true);
  });
  const user = session.data?.user ?? null;
  return {
    user,
    isLoading: session.status === 'loading',
    emailVerified: Boolean(user?.emailVerifiedAt),
    resendVerification,
    verificationSent,
  };
}

/** Visible texts of {@link UserProfile}. */
export interface UserProfileLabels {
  title: string;
  loading: string;
  signedOut: string;
  name: string;
  noName: string;
  email: string;
  verified: string;
  unverified: string;
  resend: string;
  sent: string;
  sessions?: Partial<SessionListLabels>;
  password?: Partial<ChangePasswordFormLabels>;
  twoFactor?: Partial<TotpSetupLabels>;
  passkeys?: Partial<PasskeyListLabels>;
}

const USER_PROFILE_LABELS: UserProfileLabels = {
  title: 'Profile',
  loading: 'Loading…',
  signedOut: 'Sign in to see your profile.',
  name: 'Name',
  noName: 'Not set',
  email: 'Email',
  verified: 'Verified',
  unverified: 'Not verified',
  resend: 'Resend verification email',
  sent: 'A verification link is on its way.',
};

/**
 * The account page: name and email (verified or not, with a resend), the sessions, the password,
 * two-factor authentication and the passkeys. Each part is also its own component
 * (`SessionList`, `ChangePasswordForm`, `TotpSetup`, `PasskeyList`) to place apart.
 *
 * @example
 * <UserProfile sections={{ passkeys: false }} />
 */
export function UserProfile(props: UserProfileProps) {
  const labels = { ...USER_PROFILE_LABELS, ...props.labels };
  const sections = {
    profile: true,
    sessions: true,
    password: true,
    twoFactor: true,
    passkeys: true,
    ...props.sections,
  };
  const state = useUserProfile();
  const titleId = useId();
  const resendErrorId = useId();
  if (!state.user) {
    return (
      <div className={props.className ?? 'pc-auth-profile'}>
        <p className="pc-hint">{state.isLoading ? labels.loading : labels.signedOut}</p>
      </div>
    );
  }
  const { user } = state;
  const part = <T,>(overrides: T | undefined): { labels?: T } => (overrides ? { labels: overrides } : {});
  return (
    <div className={props.className ?? 'pc-auth-profile'}>
      {sections.profile ? (
        <section className="pc-card pc-auth-profile-details" aria-labelledby={titleId}>
          <h2 id={titleId} className="pc-card-title">
            {labels.title}
          </h2>
          <dl className="pc-auth-details">
            <dt>{labels.name}</dt>
            <dd>{user.name ?? <span className="pc-hint">{labels.noName}</span>}</dd>
            <dt>{labels.email}</dt>
            <dd>
              {user.email}{' '}
              <span className={state.emailVerified ? 'pc-badge pc-auth-badge-on' : 'pc-badge'}>
                {state.emailVerified ? labels.verified : labels.unverified}
              </span>
            </dd>
          </dl>
          {state.emailVerified ? null : state.verificationSent ? (
            <output className="pc-success pc-auth-status">{labels.sent}</output>
          ) : (
            <div className="pc-auth-alternative">
              <button
                type="button"
                className="pc-button"
                disabled={state.resendVerification.isPending}
                aria-describedby={state.resendVerification.error ? resendErrorId : undefined}
                onClick={() => void state.resendVerification.run()}
              >
                {labels.resend}
              </button>
              <ErrorMessage error={state.resendVerification.error} id={resendErrorId} />
            </div>
          )}
        </section>
      ) : null}
      {sections.sessions ? <SessionList {...part(labels.sessions)} /> : null}
      {sections.password ? <ChangePasswordForm {...part(labels.password)} /> : null}
      {sections.twoFactor ? <TotpSetup {...part(labels.twoFactor)} /> : null}
      {sections.passkeys ? <PasskeyList {...part(labels.passkeys)} /> : null}
    </div>
  );
}
