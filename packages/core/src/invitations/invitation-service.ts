import { recordChange } from '../audit/index.js';
import { assertCanGrant, permissionsOfRoles } from '../authorization/index.js';
import type { CallContext } from '../call-context.js';
import { generateToken, sha256Hex } from '../crypto/random.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError, isAuthError } from '../errors.js';
import { type Membership, newMembership } from '../memberships/memberships.js';
import type { OutboxMail } from '../outbox/index.js';
import type { Clock } from '../ports/clock.js';
import { type Page, type PageRequest, pageRequest } from '../ports/pagination.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { RateLimiter } from '../rate-limit/index.js';
import type { TenantService } from '../tenants/index.js';
import type { Tenant } from '../tenants/tenants.js';
import { normalizeEmail, type User } from '../users/users.js';
import { parseInput } from '../validation.js';
import type { ResolvedInvitationsOptions } from './invitation-options.js';
import {
  type CreateInvitationInput,
  createInvitationInputSchema,
  DEFAULT_INVITATION_TTL_SECONDS,
  invitationTokenSchema,
} from './invitation-schemas.js';
import {
  type Invitation,
  type InvitationPreview,
  type InvitationSummary,
  summarizeInvitation,
} from './invitations.js';

/** A new invitation and its token, which is returned this once and never stored. */
export interface CreatedInvitation {
  invitation: InvitationSummary;
  token: string;
}

/** An invitation that was usable when checked, with its (active) tenant. */
export interface CheckedInvitation {
  invitation: Invitation;
  tenant: Tenant;
}

/** The invitation operations of `auth.api`. */
export interface InvitationsApi {
  /**
   * Invites into a tenant (needs `invitation.manage`): one email address (used once), or an open
   * link with `maxUses` (default 1, at most 1000). Roles must exist (`unknown_role`) and be
   * grantable by the caller (`forbidden`). Expires after `expiresInSeconds` (default 7 days, at
   * most 30). Returns the token this once: only its SHA-256 is stored. With an email and a
   * configured mailer, the invitation mail (a link to `invitations.acceptUrl?token=…`) is sent
   * through the outbox; the link rests there sealed (AES-256-GCM, key derived from `secret`),
   * never in clear. Audited and emitted as `invitation.created`.
   *
   * @example
   * const { token } = await auth.api.createInvitation(tenantId, adminId, { email: 'ada@example.com', roles: ['member'] })
   */
  createInvitation(
    tenantId: string,
    userId: string,
    input: CreateInvitationInput,
    context?: CallContext,
  ): Promise<CreatedInvitation>;
  /**
   * The tenant's invitations of every status, by id, page by page (50 by default; needs
   * `invitation.manage`); never tokens or hashes. Expiry is not a status: compare `expiresAt`.
   *
   * @example
   * const { items, nextCursor } = await auth.api.listInvitations(tenantId, adminId, { limit: 20 })
   */
  listInvitations(
    tenantId: string,
    userId: string,
    page?: Partial<PageRequest>,
    context?: CallContext,
  ): Promise<Page<InvitationSummary>>;
  /**
   * Revokes a pending invitation (needs `invitation.manage`); `not_found` for an unknown,
   * another tenant's or no longer pending one. Audited and emitted as `invitation.revoked`.
   *
   * @example
   * await auth.api.revokeInvitation(tenantId, adminId, invitationId)
   */
  revokeInvitation(
    tenantId: string,
    userId: string,
    invitationId: string,
    context?: CallContext,
  ): Promise<void>;
  /**
   * The signed-in user accepts an invitation and becomes a member with its roles. The use is
   * taken atomically in the transaction that creates the membership, so `maxUses` holds under
   * concurrency and a failed accept uses nothing. Errors: `invitation_invalid` (unknown token),
   * `invitation_expired`, `invitation_used_up`, `invitation_revoked`,
   * `invitation_email_mismatch` (an email invitation, another address: emails are compared
   * normalized), `email_not_verified` (an email invitation and the user's address, though equal,
   * is not verified: whoever registered an address first must prove it before taking what was
   * sent to it), `already_member`, `invitation_requires_signup` (an isolated-pool tenant: its users
   * are created in it, by `signUp` with `invitationToken`), `forbidden` (a user of an isolated
   * pool joining another tenant). Audited and emitted as `invitation.accepted` and `member.added`.
   *
   * @example
   * const membership = await auth.api.acceptInvitation(session.user.id, token)
   */
  acceptInvitation(userId: string, token: string, context?: CallContext): Promise<Membership>;
  /**
   * What an invitation offers, for the page a visitor lands on from the mail, before they have an
   * account: the tenant (with its user pool: an isolated one is joined by signing up into it),
   * the inviter's name and email (null when the system sent it), the roles, the address it is
   * bound to (null for an open link) and its expiry. Uses nothing. It refuses exactly what
   * accepting would refuse of the invitation itself, with the same codes: `invitation_invalid`
   * (unknown token: nothing else is told), `invitation_revoked` (also when its sender can no
   * longer grant it), `invitation_used_up`, `invitation_expired`, `tenant_suspended`. Who may
   * accept (the email, the user pool) is decided at acceptance. Rate-limited like accepting
   * (`invitationLookup`, per client address, else per token).
   *
   * @example
   * const { tenant, inviter, roles } = await auth.api.previewInvitation(token)
   * // `${inviter?.name ?? 'Someone'} invited you to ${tenant.name} as ${roles.join(', ')}`
   */
  previewInvitation(token: string, context?: CallContext): Promise<InvitationPreview>;
}

/** The invitations domain: its `auth.api` operations and what sign-up with an invitation uses. */
export interface InvitationService {
  api: InvitationsApi;
  /**
   * Finds the invitation of a token and checks, without using it, that it can still be accepted:
   * `invitation_invalid` (unknown token, or its tenant is gone), `invitation_revoked`,
   * `invitation_used_up`, `invitation_expired`, `tenant_suspended`.
   */
  checkToken(token: string): Promise<CheckedInvitation>;
  /**
   * Makes `user` a member by the invitation, on the caller's transaction: uses it once
   * (atomically) and creates the membership, audited as `invitation.accepted` and `member.added`.
   * Throws, so that the transaction rolls back and the use is given back, when the user is
   * already a member or the invitation was used up meanwhile. Pool and email checks are the
   * caller's ({@link assertEmailMatches}).
   */
  joinByInvitation(
    tx: StorageStores,
    checked: CheckedInvitation,
    user: Pick<User, 'id'>,
    context: CallContext,
  ): Promise<Membership>;
  /** The email rule: an email invitation is for that address only (`invitation_email_mismatch`). */
  assertEmailMatches(invitation: Invitation, email: string): void;
}

/** What the invitation service uses. */
export interface InvitationServiceDeps {
  storage: Storage;
  clock: Clock;
  tenants: TenantService;
  /** Counts token lookups (`invitationLookup`): previews and acceptances. */
  rateLimiter: RateLimiter;
  /** Seals the invitation link in the outbox row (the link carries the token). */
  mailBox: SealedBox;
}

export interface InvitationServiceOptions extends ResolvedInvitationsOptions {
  /** Whether a mailer is configured: only then does an email invitation carry its mail. */
  mailEnabled: boolean;
}

export function createInvitationService(
  deps: InvitationServiceDeps,
  options: InvitationServiceOptions,
): InvitationService {
  const { storage, clock, tenants, rateLimiter, mailBox } = deps;

  /** Counted before the token is looked at: a guess costs the same as a real token. */
  async function limitLookup(token: string, context: CallContext) {
    // per client address; per token for server-side calls without one
    const subject = context.ip ? `ip:${context.ip}` : `invitation:${sha256Hex(String(token)).slice(0, 32)}`;
    const state = await rateLimiter.consume('invitationLookup', subject, { ip: context.ip });
    if (state) (context.rateLimits ??= []).push(state);
  }

  /** Why an invitation cannot be used at `now`, or null when it can. */
  function unusableReason(invitation: Invitation, now: Date) {
    if (invitation.status === 'revoked') return new AuthError('invitation_revoked');
    if (invitation.status === 'exhausted' || invitation.uses >= invitation.maxUses) {
      return new AuthError('invitation_used_up');
    }
    if (invitation.expiresAt.getTime() <= now.getTime()) return new AuthError('invitation_expired');
    return null;
  }

  async function checkToken(token: string): Promise<CheckedInvitation> {
    if (!invitationTokenSchema.safeParse(token).success) throw new AuthError('invitation_invalid');
    const invitation = await storage.invitations.findByTokenHash(sha256Hex(token));
    if (!invitation) throw new AuthError('invitation_invalid');
    const unusable = unusableReason(invitation, clock.now());
    if (unusable) throw unusable;
    const tenant = await storage.tenants.findById(invitation.tenantId);
    if (!tenant) throw new AuthError('invitation_invalid');
    if (tenant.status !== 'active') throw new AuthError('tenant_suspended');
    return { invitation, tenant };
  }

  /**
   * Throws unless the invitation's roles still exist (`invitation_invalid`) and its creator can
   * still grant them (`invitation_revoked`): what accepting checks beyond the token, read from
   * `stores` (the accepting transaction's, or the storage for a preview).
   */
  async function assertStillGrantable(stores: StorageStores, invitation: Invitation) {
    const roles = await stores.roles.listByTenant(invitation.tenantId);
    const gone = invitation.roles.filter((key) => !roles.some((r) => r.key === key));
    if (gone.length > 0) {
      throw new AuthError('invitation_invalid', {
        detail: `the invitation's role no longer exists: ${gone.join(', ')}`,
      });
    }
    // an invitation carries its creator's authority: it lapses with it (a removed or demoted
    // admin's open links must not keep handing out their old roles)
    if (invitation.createdBy !== null) {
      const inviter = await stores.memberships.find(invitation.tenantId, invitation.createdBy);
      const lapsed = () =>
        new AuthError('invitation_revoked', {
          detail: 'whoever sent this invitation can no longer grant it',
        });
      if (!inviter) throw lapsed();
      try {
        assertCanGrant(roles, inviter.roles, permissionsOfRoles(roles, invitation.roles));
      } catch (error) {
        if (isAuthError(error, 'forbidden')) throw lapsed();
        throw error;
      }
    }
  }

  function assertEmailMatches(invitation: Invitation, email: string) {
    if (invitation.email !== null && normalizeEmail(email) !== invitation.email) {
      throw new AuthError('invitation_email_mismatch', {
        detail: 'this invitation was sent to another email address',
      });
    }
  }

  async function joinByInvitation(
    tx: StorageStores,
    { invitation, tenant }: CheckedInvitation,
    user: Pick<User, 'id'>,
    context: CallContext,
  ): Promise<Membership> {
    // checked before the use is taken, so that a member's second try uses nothing
    if (await tx.memberships.find(tenant.id, user.id)) throw new AuthError('already_member');
    const now = clock.now();
    const used = await tx.invitations.consumeUse(invitation.id, now);
    if (!used) {
      // another acceptance took the last use (or a revocation landed) since the check
      const current = await tx.invitations.findByTokenHash(invitation.tokenHash);
      throw (current && unusableReason(current, now)) ?? new AuthError('invitation_used_up');
    }
    await assertStillGrantable(tx, invitation);
    const membership = newMembership(tenant.id, user.id, invitation.roles, now);
    await tx.memberships.create(membership);
    const actor = { type: 'user' as const, id: user.id };
    await recordChange(tx, clock, context, {
      tenantId: tenant.id,
      action: 'invitation.accepted',
      actor,
      target: { type: 'invitation', id: invitation.id },
      data: { userId: user.id, uses: used.uses, maxUses: used.maxUses },
    });
    await recordChange(tx, clock, context, {
      tenantId: tenant.id,
      action: 'member.added',
      actor,
      target: { type: 'user', id: user.id },
      data: { roles: invitation.roles, via: 'invitation', invitationId: invitation.id },
    });
    return membership;
  }

  function invitationMail(tenant: Tenant, email: string, token: string, expiresAt: Date): OutboxMail {
    const link = new URL(options.acceptUrl);
    link.searchParams.set('token', token);
    return {
      to: email,
      subject: `You are invited to join ${tenant.name}`,
      text:
        `You have been invited to join ${tenant.name}.\n\n` +
        'Accept the invitation here (sign in, or create an account with this email address):\n' +
        '{{link}}\n\n' +
        `The invitation expires on ${expiresAt.toUTCString()}. If you did not expect it, ignore this message.`,
      // the link carries the token: only its sealed form may rest in the outbox row
      sealed: { link: mailBox.seal(link.href) },
    };
  }

  const api: InvitationsApi = {
    async createInvitation(tenantId, userId, rawInput, context = {}) {
      const input = parseInput(createInvitationInputSchema, rawInput);
      const access = await tenants.requirePermission(tenantId, userId, 'invitation.manage', context);
      const roles = await storage.roles.listByTenant(tenantId);
      const unknown = input.roles.filter((key) => !roles.some((r) => r.key === key));
      if (unknown.length > 0) {
        throw new AuthError('unknown_role', { detail: `no such role in this tenant: ${unknown.join(', ')}` });
      }
      assertCanGrant(roles, access.membership.roles, permissionsOfRoles(roles, input.roles));
      const now = clock.now();
      const token = generateToken(32);
      const invitation: Invitation = {
        id: uuidv7(now.getTime()),
        tenantId,
        email: input.email === undefined ? null : normalizeEmail(input.email),
        roles: input.roles,
        tokenHash: sha256Hex(token),
        maxUses: input.maxUses ?? 1,
        uses: 0,
        status: 'pending',
        expiresAt: new Date(
          now.getTime() + (input.expiresInSeconds ?? DEFAULT_INVITATION_TTL_SECONDS) * 1000,
        ),
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
      };
      const data = {
        email: invitation.email,
        roles: invitation.roles,
        maxUses: invitation.maxUses,
        expiresAt: invitation.expiresAt.toISOString(),
      };
      await storage.transaction(async (tx) => {
        await tx.invitations.create(invitation);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'invitation.created',
          target: { type: 'invitation', id: invitation.id },
          data,
          event: {
            ...data,
            ...(invitation.email && options.mailEnabled
              ? { mail: invitationMail(access.tenant, invitation.email, token, invitation.expiresAt) }
              : {}),
          },
        });
      });
      return { invitation: summarizeInvitation(invitation), token };
    },

    async listInvitations(tenantId, userId, page, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'invitation.manage', context);
      const found = await storage.invitations.listByTenant(tenantId, pageRequest(page));
      return { items: found.items.map(summarizeInvitation), nextCursor: found.nextCursor };
    },

    async revokeInvitation(tenantId, userId, invitationId, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'invitation.manage', context);
      await storage.transaction(async (tx) => {
        if (!(await tx.invitations.revoke(tenantId, invitationId, clock.now()))) {
          throw new AuthError('not_found', { detail: 'no such pending invitation' });
        }
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'invitation.revoked',
          target: { type: 'invitation', id: invitationId },
        });
      });
    },

    async acceptInvitation(userId, token, context = {}) {
      await limitLookup(token, context);
      const checked = await checkToken(token);
      const user = await storage.users.findById(userId);
      if (!user || user.status !== 'active') throw new AuthError('unauthenticated');
      const { tenant } = checked;
      if (tenant.userPool === 'isolated' && user.tenantId !== tenant.id) {
        throw new AuthError('invitation_requires_signup', {
          detail: 'this tenant has its own users: sign up into it with the invitation token',
        });
      }
      if (tenant.userPool === 'shared' && user.tenantId !== null) {
        throw new AuthError('forbidden', { detail: 'users of an isolated tenant cannot join other tenants' });
      }
      assertEmailMatches(checked.invitation, user.email);
      // an address is someone's only once proven: an account that merely claims it (perhaps
      // registered by someone waiting for its owner's invitations) may not take them
      if (checked.invitation.email !== null && user.emailVerifiedAt === null) {
        throw new AuthError('email_not_verified', {
          detail: 'this invitation was sent to an email address: verify that address first',
        });
      }
      try {
        const membership = await storage.transaction((tx) => joinByInvitation(tx, checked, user, context));
        return membership;
      } catch (error) {
        // a concurrent acceptance by the same user made the membership first
        if (isAuthError(error, 'conflict')) throw new AuthError('already_member', { cause: error });
        throw error;
      }
    },

    async previewInvitation(token, context = {}) {
      await limitLookup(token, context);
      const { invitation, tenant } = await checkToken(token);
      await assertStillGrantable(storage, invitation);
      const inviter =
        invitation.createdBy === null ? null : await storage.users.findById(invitation.createdBy);
      return {
        tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug, userPool: tenant.userPool },
        inviter:
          inviter && inviter.status !== 'deleted' ? { name: inviter.name, email: inviter.email } : null,
        roles: invitation.roles,
        email: invitation.email,
        expiresAt: invitation.expiresAt,
      };
    },
  };

  return { api, checkToken, joinByInvitation, assertEmailMatches };
}
