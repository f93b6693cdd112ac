import type { Member } from '@portcullis/client';
import { useId, useState } from 'react';
import { useUser } from '../../hooks/use-auth.js';
import { useOrganizationMembers } from '../../hooks/use-organizations.js';
import { usePermission } from '../../hooks/use-permission.js';
import { usePortcullis } from '../../portcullis-provider.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { Dialog } from '../shared/dialog.js';
import { ErrorMessage } from '../shared/error-message.js';
import { LoadMoreButton } from '../shared/load-more-button.js';
import { useAsyncAction } from '../shared/use-async-action.js';
import { formatDate } from './format-date.js';
import { MemberRoleManager } from './member-role-manager.js';
import { useRoleNames } from './use-role-names.js';

/** Visible texts of {@link MemberList}. */
export interface MemberListLabels {
  title: string;
  name: string;
  email: string;
  roles: string;
  joined: string;
  actions: string;
  you: string;
  changeRoles: string;
  rolesOf(member: Member): string;
  remove: string;
  removeQuestion(member: Member): string;
  leave: string;
  leaveQuestion: string;
  lastOwner: string;
  left: string;
  loading: string;
  loadMore: string;
  noTenant: string;
}

const DEFAULT_LABELS: MemberListLabels = {
  title: 'Members',
  name: 'Name',
  email: 'Email',
  roles: 'Roles',
  joined: 'Joined',
  actions: 'Actions',
  you: 'You',
  changeRoles: 'Change roles',
  rolesOf: (member) => `Roles of ${displayName(member)}`,
  remove: 'Remove',
  removeQuestion: (member) => `Remove ${displayName(member)}? They lose access at once.`,
  leave: 'Leave',
  leaveQuestion: 'Leave this organization? You lose access to it at once.',
  lastOwner:
    'You are the only owner of this organization: make another member an owner before you can leave.',
  left: 'You left this organization.',
  loading: 'Loading members…',
  loadMore: 'Load more',
  noTenant: 'No organization is selected.',
};

/** Options of {@link useMemberList}. */
export interface UseMemberListOptions {
  /** Default: the active tenant. */
  tenantId?: string;
  /** The role an organization must keep one holder of (`tenants.creatorRole`, default `owner`). */
  ownerRole?: string;
  /** Called after the signed-in user left (the active tenant is cleared first when it was this one). */
  onLeft?(): void;
  /** Members per page (default 50). */
  pageSize?: number;
}

/** Props of {@link MemberList}. */
export interface MemberListProps extends UseMemberListOptions {
  labels?: Partial<MemberListLabels>;
  className?: string;
}

/** One row of {@link useMemberList}. */
export interface MemberRow {
  member: Member;
  /** The signed-in user's own row. */
  isSelf: boolean;
  /** The role names, in the member's order. */
  roleNames: string[];
  /** Offer "Remove": someone else, the caller has `member.remove`, and not the last owner. */
  canRemove: boolean;
  /** Offer "Leave": the caller's own row, unless they are the last owner. */
  canLeave: boolean;
}

/** What {@link useMemberList} returns. */
export interface MemberListState {
  tenantId: string | null;
  rows: MemberRow[];
  isLoading: boolean;
  /** Loading the members failed. */
  error: unknown;
  hasMore: boolean;
  loadMore(): Promise<void>;
  /** May change roles (`member.update`); `undefined` until the server answered. */
  canUpdate: boolean | undefined;
  /** The signed-in user is the organization's only owner (so "Leave" is not offered). */
  isLastOwner: boolean;
  /** Removes someone else. */
  remove(userId: string): Promise<void>;
  /** The signed-in user leaves. */
  leave(): Promise<void>;
  /** True once the signed-in user left. */
  hasLeft: boolean;
}

/**
 * The headless part of {@link MemberList}: the members with their roles in words, and what the
 * caller may do to each. Owners are counted in the loaded rows: when every page is loaded and the
 * caller is the only owner, leaving is not offered; when pages remain, the server's `last_owner`
 * refusal is the answer.
 *
 * @example
 * const { rows, remove } = useMemberList();
 */
export function useMemberList(options: UseMemberListOptions = {}): MemberListState {
  const { activeTenantId, setActiveTenant } = usePortcullis();
  const user = useUser();
  const members = useOrganizationMembers(options.tenantId, { limit: options.pageSize ?? 50 });
  const roleName = useRoleNames(options.tenantId);
  const tenantId = members.tenantId;
  const canRemove = usePermission('member.remove', undefined, { tenantId: tenantId ?? undefined });
  const canUpdate = usePermission('member.update', undefined, { tenantId: tenantId ?? undefined });
  const [hasLeft, setLeft] = useState(false);
  const ownerRole = options.ownerRole ?? 'owner';
  const owners = members.items.filter((member) => member.roles.includes(ownerRole)).length;
  // with pages unloaded there may be owners not counted yet: then let the server decide
  const isSoleOwner = (member: Member) =>
    member.roles.includes(ownerRole) && owners === 1 && !members.hasMore;
  const self = members.items.find((member) => member.userId === user?.id);
  const { onLeft } = options;
  return {
    tenantId,
    rows: members.items.map((member) => {
      const isSelf = member.userId === user?.id;
      return {
        member,
        isSelf,
        roleNames: member.roles.map(roleName),
        canRemove: !isSelf && canRemove.allowed === true && !isSoleOwner(member),
        canLeave: isSelf && !isSoleOwner(member),
      };
    }),
    isLoading: members.isLoading,
    error: hasLeft ? undefined : members.error,
    hasMore: members.hasMore,
    loadMore: members.loadMore,
    canUpdate: canUpdate.allowed,
    isLastOwner: self ? isSoleOwner(self) : false,
    remove: (userId) => members.remove(userId),
    async leave() {
      if (!user) return;
      await members.remove(user.id);
      setLeft(true);
      if (tenantId === activeTenantId) setActiveTenant(null);
      onLeft?.();
    },
    hasLeft,
  };
}

/**
 * The members of an organization: name, email, roles and when they joined. Those allowed can
 * change roles (`member.update`) and remove members (`member.remove`), after confirming; everyone
 * can leave, except the last owner.
 *
 * @example
 * <MemberList onLeft={() => router.push('/')} />
 */
export function MemberList(props: MemberListProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const list = useMemberList(props);
  const [editing, setEditing] = useState<Member | null>(null);
  const more = useAsyncAction(() => list.loadMore());
  const titleId = useId();
  const className = props.className ? `pc-card pc-org-members ${props.className}` : 'pc-card pc-org-members';
  const title = (
    <h2 id={titleId} className="pc-card-title">
      {labels.title}
    </h2>
  );
  if (list.hasLeft || !list.tenantId) {
    return (
      <section className={className} aria-labelledby={titleId}>
        {title}
        <p className="pc-hint">{list.hasLeft ? labels.left : labels.noTenant}</p>
      </section>
    );
  }
  return (
    <section className={className} aria-labelledby={titleId}>
      {title}
      <ErrorMessage error={list.error} />
      {list.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      {list.isLastOwner ? <p className="pc-hint">{labels.lastOwner}</p> : null}
      {list.rows.length > 0 ? (
        <div className="pc-org-table-wrap">
          <table className="pc-table pc-org-member-table">
            <thead>
              <tr>
                <th scope="col">{labels.name}</th>
                <th scope="col">{labels.email}</th>
                <th scope="col">{labels.roles}</th>
                <th scope="col">{labels.joined}</th>
                <th scope="col">
                  <span className="pc-visually-hidden">{labels.actions}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((row) => (
                <tr key={row.member.userId}>
                  <td>
                    {row.member.user.name ?? '—'}
                    {row.isSelf ? <span className="pc-badge pc-org-badge-self">{labels.you}</span> : null}
                  </td>
                  <td>{row.member.user.email}</td>
                  <td>
                    <span className="pc-org-badges">
                      {row.roleNames.map((name, index) => (
                        <span key={row.member.roles[index]} className="pc-badge">
                          {name}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td>
                    <time dateTime={row.member.createdAt}>{formatDate(row.member.createdAt)}</time>
                  </td>
                  <td>
                    <span className="pc-org-row-actions">
                      {list.canUpdate ? (
                        <button type="button" className="pc-button" onClick={() => setEditing(row.member)}>
                          {labels.changeRoles}
                        </button>
                      ) : null}
                      {row.canRemove ? (
                        <ConfirmButton
                          question={labels.removeQuestion(row.member)}
                          onConfirm={() => list.remove(row.member.userId)}
                        >
                          {labels.remove}
                        </ConfirmButton>
                      ) : null}
                      {row.canLeave ? (
                        <ConfirmButton question={labels.leaveQuestion} onConfirm={list.leave}>
                          {labels.leave}
                        </ConfirmButton>
                      ) : null}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing ? labels.rolesOf(editing) : ''}
      >
        {editing ? (
          <MemberRoleManager
            member={list.rows.find((row) => row.member.userId === editing.userId)?.member ?? editing}
            tenantId={list.tenantId}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        ) : null}
      </Dialog>
    </section>
  );
}

function displayName(member: Member): string {
  return member.user.name ?? member.user.email;
}
