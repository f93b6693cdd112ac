import type { Invitation } from '@portcullis/client';
import { useId } from 'react';
import { useInvitations } from '../../hooks/use-organizations.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage } from '../shared/error-message.js';
import { LoadMoreButton } from '../shared/load-more-button.js';
import { useAsyncAction } from '../shared/use-async-action.js';
import { formatDate } from './format-date.js';
import { useRoleNames } from './use-role-names.js';

/** Visible texts of {@link PendingInvitations}. */
export interface PendingInvitationsLabels {
  title: string;
  openLink: string;
  uses(invitation: Invitation): string;
  expires(date: string): string;
  expired(date: string): string;
  revoke: string;
  revokeQuestion(invitation: Invitation): string;
  empty: string;
  loading: string;
  loadMore: string;
  noTenant: string;
}

const DEFAULT_LABELS: PendingInvitationsLabels = {
  title: 'Pending invitations',
  openLink: 'Open link',
  uses: (invitation) => `Used ${invitation.uses} of ${invitation.maxUses} times`,
  expires: (date) => `Expires ${date}`,
  expired: (date) => `Expired ${date}`,
  revoke: 'Revoke',
  revokeQuestion: (invitation) =>
    invitation.email
      ? `Revoke the invitation to ${invitation.email}? Its link stops working.`
      : 'Revoke this link? It stops working for everyone who has it.',
  empty: 'No pending invitations.',
  loading: 'Loading invitations…',
  loadMore: 'Load more',
  noTenant: 'No organization is selected.',
};

/** Options of {@link usePendingInvitations}. */
export interface UsePendingInvitationsOptions {
  /** Default: the active tenant. */
  tenantId?: string;
  /** Invitations fetched per page (default 50; revoked and used-up ones are fetched too, then left out). */
  pageSize?: number;
}

/** Props of {@link PendingInvitations}. */
export interface PendingInvitationsProps extends UsePendingInvitationsOptions {
  labels?: Partial<PendingInvitationsLabels>;
  className?: string;
}

/** One row of {@link usePendingInvitations}. */
export interface PendingInvitationRow {
  invitation: Invitation;
  roleNames: string[];
  /** Past its expiry (still pending: it can be revoked, not accepted). */
  isExpired: boolean;
}

/** What {@link usePendingInvitations} returns. */
export interface PendingInvitationsState {
  tenantId: string | null;
  /** The pending invitations (status `pending`), newest first as the server lists them. */
  rows: PendingInvitationRow[];
  isLoading: boolean;
  /** Loading failed (e.g. `forbidden` without `invitation.manage`). */
  error: unknown;
  hasMore: boolean;
  loadMore(): Promise<void>;
  revoke(invitationId: string): Promise<void>;
}

/**
 * The headless part of {@link PendingInvitations}: the tenant's pending invitations with their
 * roles in words and whether they expired, and revoking one.
 *
 * @example
 * const { rows, revoke } = usePendingInvitations();
 */
export function usePendingInvitations(options: UsePendingInvitationsOptions = {}): PendingInvitationsState {
  const invitations = useInvitations(options.tenantId, { limit: options.pageSize ?? 50 });
  const roleName = useRoleNames(options.tenantId);
  const now = Date.now();
  return {
    tenantId: invitations.tenantId,
    rows: invitations.items
      .filter((invitation) => invitation.status === 'pending')
      .map((invitation) => ({
        invitation,
        roleNames: invitation.roles.map(roleName),
        isExpired: Date.parse(invitation.expiresAt) <= now,
      })),
    isLoading: invitations.isLoading,
    error: invitations.error,
    hasMore: invitations.hasMore,
    loadMore: invitations.loadMore,
    revoke: invitations.revoke,
  };
}

/**
 * The organization's pending invitations: who (an email, or an open link and its uses), which
 * roles, until when; "Revoke" after confirming. Needs `invitation.manage`.
 *
 * @example
 * <PermissionGate action="invitation.manage">
 *   <PendingInvitations />
 * </PermissionGate>
 */
export function PendingInvitations(props: PendingInvitationsProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const list = usePendingInvitations(props);
  const more = useAsyncAction(() => list.loadMore());
  const titleId = useId();
  return (
    <section
      className={
        props.className ? `pc-card pc-org-invitations ${props.className}` : 'pc-card pc-org-invitations'
      }
      aria-labelledby={titleId}
    >
      <h2 id={titleId} className="pc-card-title">
        {labels.title}
      </h2>
      {list.tenantId ? null : <p className="pc-hint">{labels.noTenant}</p>}
      <ErrorMessage error={list.error} />
      {list.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      {list.tenantId && !list.isLoading && !list.error && list.rows.length === 0 ? (
        <p className="pc-hint">{labels.empty}</p>
      ) : null}
      {list.rows.length > 0 ? (
        <ul className="pc-list">
          {list.rows.map(({ invitation, roleNames, isExpired }) => (
            <li key={invitation.id} className="pc-list-item pc-org-invitation">
              <span className="pc-org-invitation-main">
                <strong>{invitation.email ?? labels.openLink}</strong>
                <span className="pc-org-badges">
                  {roleNames.map((name, index) => (
                    <span key={invitation.roles[index]} className="pc-badge">
                      {name}
                    </span>
                  ))}
                </span>
                <span className="pc-hint">
                  <time dateTime={invitation.expiresAt}>
                    {isExpired
                      ? labels.expired(formatDate(invitation.expiresAt))
                      : labels.expires(formatDate(invitation.expiresAt))}
                  </time>
                  {invitation.email ? null : ` · ${labels.uses(invitation)}`}
                </span>
              </span>
              <ConfirmButton
                question={labels.revokeQuestion(invitation)}
                onConfirm={() => list.revoke(invitation.id)}
              >
                {labels.revoke}
              </ConfirmButton>
            </li>
          ))}
        </ul>
      ) : null}
      {list.hasMore ? (
        <LoadMoreButton
          className="pc-org-actions"
          pending={more.isPending}
          error={more.error}
          onLoadMore={() => void more.run()}
        >
          {labels.loadMore}
        </LoadMoreButton>
      ) : null}
    </section>
  );
}
