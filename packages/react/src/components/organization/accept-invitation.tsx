import { isPortcullisClientError, type Membership } from '@portcullis/client';
import { useId, useState } from 'react';
import { useAuth } from '../../hooks/use-auth.js';
import { acceptInvitation } from '../../hooks/use-organizations.js';
import { useResource } from '../../hooks/use-resource.js';
import { usePortcullis } from '../../portcullis-provider.js';
import { errorText } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { formatDate } from './format-date.js';
import { type InvitationPreview, previewInvitation } from './preview-invitation.js';

/** Visible texts of {@link AcceptInvitation}. */
export interface AcceptInvitationLabels {
  /** The heading, with the organization's name once the preview told it. */
  title(tenantName: string | null): string;
  /** The sentence under it, from the preview (or without one: `null`). */
  invited(preview: InvitationPreview | null): string;
  boundTo(email: string): string;
  /** Shown before accepting when the signed-in user's email is not the one invited. */
  mismatch(invitedEmail: string): string;
  expires(date: string): string;
  signedOut: string;
  signIn: string;
  signUp: string;
  accept: string;
  accepted(tenantName: string | null): string;
  loading: string;
}

const DEFAULT_LABELS: AcceptInvitationLabels = {
  title: (tenantName) => (tenantName ? `Join ${tenantName}` : 'Accept invitation'),
  invited(preview) {
    if (!preview) return 'You have been invited to join an organization.';
    const who = preview.inviter ? (preview.inviter.name ?? preview.inviter.email) : null;
    const as = preview.roles.length > 0 ? ` as ${preview.roles.join(', ')}` : '';
    return who
      ? `${who} invited you to join ${preview.tenant.name}${as}.`
      : `You have been invited to join ${preview.tenant.name}${as}.`;
  },
  boundTo: (email) => `This invitation is for ${email}.`,
  mismatch: (invitedEmail) =>
    `You are signed in with another address: sign in as ${invitedEmail} to accept this invitation.`,
  expires: (date) => `It expires on ${date}.`,
  signedOut: 'Sign in, or create an account, to accept it.',
  signIn: 'Sign in',
  signUp: 'Sign up',
  accept: 'Accept invitation',
  accepted: (tenantName) => (tenantName ? `You joined ${tenantName}.` : 'You joined the organization.'),
  loading: 'Loading the invitation…',
};

/** Options of {@link useAcceptInvitation}. */
export interface UseAcceptInvitationOptions {
  /** The token from the invitation link (`?token=…`). */
  token: string;
  /** Called with the new membership. */
  onAccepted?(membership: Membership): void;
  /** Make the organization joined the active one (default true). */
  activate?: boolean;
  /**
   * Where signed-out visitors sign in: a function of the token, or an address the token is added
   * to as `?token=…` (the sign-in page sends them back here with it).
   */
  signInHref?: string | ((token: string) => string);
  /** Where signed-out visitors create an account (`POST /signup` takes `invitationToken`). */
  signUpHref?: string | ((token: string) => string);
}

/** Props of {@link AcceptInvitation}. */
export interface AcceptInvitationProps extends UseAcceptInvitationOptions {
  labels?: Partial<AcceptInvitationLabels>;
  className?: string;
}

/** What {@link useAcceptInvitation} returns. */
export interface AcceptInvitationState {
  /**
   * `loading` (the session or the preview), `signed-out`, `ready` (signed in, may accept),
   * `unusable` (the preview says it cannot be accepted: expired, revoked, used up, unknown),
   * `accepted`.
   */
  status: 'loading' | 'signed-out' | 'ready' | 'unusable' | 'accepted';
  /** What the invitation offers; `null` when the server has no preview route. */
  preview: InvitationPreview | null;
  /** Why the invitation cannot be used, in a sentence (preview or accept refused it). */
  problem: string | undefined;
  /** The signed-in user's email differs from the address the invitation is bound to. */
  emailMismatch: boolean;
  accept(): Promise<Membership | undefined>;
  acceptAction: AsyncAction<[], Membership>;
  membership: Membership | null;
  signInHref: string | undefined;
  signUpHref: string | undefined;
}

/**
 * The sentence for an invitation that cannot be accepted: what happened and what to do.
 *
 * @example
 * invitationErrorText(error, { tenantName: 'Acme', invitedEmail: 'ada@example.com', userEmail: 'grace@example.com' });
 */
export function invitationErrorText(
  error: unknown,
  context: { tenantName?: string | null; invitedEmail?: string | null; userEmail?: string | null } = {},
): string {
  const tenant = context.tenantName ?? 'this organization';
  if (!isPortcullisClientError(error)) return errorText(error);
  switch (error.code) {
    case 'invitation_invalid':
      return 'This invitation link is not valid. Check that you copied all of it, or ask for a new one.';
    case 'invitation_expired':
      return 'This invitation has expired. Ask the person who invited you to send a new one.';
    case 'invitation_used_up':
      return 'This invitation link has been used as many times as it allows. Ask for a new one.';
    case 'invitation_revoked':
      return 'This invitation was withdrawn. Ask for a new one if you still need access.';
    case 'invitation_email_mismatch':
      return context.invitedEmail
        ? `This invitation is for ${context.invitedEmail}, but you are signed in as ${context.userEmail ?? 'someone else'}. Sign in as ${context.invitedEmail} to accept it.`
        : 'This invitation was sent to another email address. Sign in with that address to accept it.';
    case 'already_member':
      return `You are already a member of ${tenant}.`;
    case 'email_not_verified':
      return 'Verify your email address first, then accept the invitation.';
    case 'invitation_requires_signup':
      return `${capitalize(tenant)} has its own accounts: create one through this invitation to join.`;
    case 'tenant_suspended':
      return `${capitalize(tenant)} is suspended: its invitations cannot be accepted now.`;
    default:
      return errorText(error);
  }
}

const NO_TOKEN = 'This invitation link is not valid: it carries no token. Open the link you were sent again.';

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function hrefFor(target: string | ((token: string) => string) | undefined, token: string) {
  if (target === undefined) return undefined;
  if (typeof target === 'function') return target(token);
  const separator = target.includes('?') ? '&' : '?';
  return `${target}${separator}token=${encodeURIComponent(token)}`;
}

/**
 * The headless part of {@link AcceptInvitation}: what the invitation offers (tenant, inviter,
 * roles) before anything is used, the session, and accepting, with each refusal in a sentence.
 *
 * @example
 * const invitation = useAcceptInvitation({ token, onAccepted: (m) => router.push(`/orgs/${m.tenantId}`) });
 */
export function useAcceptInvitation(options: UseAcceptInvitationOptions): AcceptInvitationState {
  const { client, cache, setActiveTenant } = usePortcullis();
  const auth = useAuth();
  const { token } = options;
  const preview = useResource(token ? `invitation-preview:${token}` : null, () =>
    previewInvitation(client, token),
  );
  const [membership, setMembership] = useState<Membership | null>(null);
  const { onAccepted } = options;
  const acceptAction = useAsyncAction(async () => {
    const joined = await acceptInvitation(client, cache, token);
    setMembership(joined);
    if (options.activate ?? true) setActiveTenant(joined.tenantId);
    onAccepted?.(joined);
    return joined;
  });
  const data = preview.data ?? null;
  const context = {
    tenantName: data?.tenant.name ?? null,
    invitedEmail: data?.email ?? null,
    userEmail: auth.user?.email ?? null,
  };
  const refusal = preview.error ?? acceptAction.error;
  const problem = !token
    ? NO_TOKEN
    : refusal === undefined
      ? undefined
      : invitationErrorText(refusal, context);
  const status: AcceptInvitationState['status'] = membership
    ? 'accepted'
    : !token || preview.error
      ? 'unusable'
      : auth.isLoading || preview.isLoading
        ? 'loading'
        : auth.isSignedIn
          ? 'ready'
          : 'signed-out';
  return {
    status,
    preview: data,
    problem,
    emailMismatch: Boolean(
      data?.email && auth.user && data.email.toLowerCase() !== auth.user.email.toLowerCase(),
    ),
    accept: () => acceptAction.run(),
    acceptAction,
    membership,
    signInHref: hrefFor(options.signInHref, token),
    signUpHref: hrefFor(options.signUpHref, token),
  };
}

/**
 * The page an invitation link opens: who invites whom to which organization, then "Accept
 * invitation" (signed in) or links to sign in or up that bring the token back (signed out).
 * Expired, withdrawn, used-up, mismatched and already-used invitations each get a clear sentence.
 *
 * @example
 * <AcceptInvitation
 *   token={searchParams.get('token') ?? ''}
 *   signInHref={(token) => `/sign-in?next=${encodeURIComponent(`/invitations/accept?token=${token}`)}`}
 *   signUpHref="/sign-up"
 *   onAccepted={(membership) => router.push(`/orgs/${membership.tenantId}`)}
 * />
 */
export function AcceptInvitation(props: AcceptInvitationProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const invitation = useAcceptInvitation(props);
  const { preview, status } = invitation;
  const titleId = useId();
  const problemId = useId();
  const tenantName = preview?.tenant.name ?? null;
  return (
    <section
      className={props.className ? `pc-card pc-org-accept ${props.className}` : 'pc-card pc-org-accept'}
      aria-labelledby={titleId}
    >
      <h2 id={titleId} className="pc-card-title">
        {labels.title(tenantName)}
      </h2>
      {status === 'loading' ? <p className="pc-hint">{labels.loading}</p> : null}
      {status !== 'loading' && status !== 'unusable' ? (
        <>
          <p>{labels.invited(preview)}</p>
          {preview?.email ? <p className="pc-hint">{labels.boundTo(preview.email)}</p> : null}
          {preview ? <p className="pc-hint">{labels.expires(formatDate(preview.expiresAt))}</p> : null}
        </>
      ) : null}
      {status === 'signed-out' ? (
        <>
          <p>{labels.signedOut}</p>
          <div className="pc-org-actions">
            {invitation.signInHref ? (
              <a className="pc-button pc-button-primary" href={invitation.signInHref}>
                {labels.signIn}
              </a>
            ) : null}
            {invitation.signUpHref ? (
              <a className="pc-button" href={invitation.signUpHref}>
                {labels.signUp}
              </a>
            ) : null}
          </div>
        </>
      ) : null}
      {status === 'ready' ? (
        <>
          {invitation.emailMismatch && preview?.email && !invitation.acceptAction.error ? (
            <p className="pc-hint">{labels.mismatch(preview.email)}</p>
          ) : null}
          <div className="pc-org-actions">
            <button
              type="button"
              className="pc-button pc-button-primary"
              disabled={invitation.acceptAction.isPending}
              aria-describedby={invitation.problem ? problemId : undefined}
              onClick={() => void invitation.accept()}
            >
              {labels.accept}
            </button>
          </div>
        </>
      ) : null}
      {invitation.problem && status !== 'accepted' ? (
        <p role="alert" id={problemId} className="pc-error">
          {invitation.problem}
        </p>
      ) : null}
      {status === 'accepted' ? <output className="pc-success">{labels.accepted(tenantName)}</output> : null}
    </section>
  );
}
