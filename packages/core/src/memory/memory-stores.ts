import type { AuditChainHead, AuditEvent } from '../audit/audit.js';
import { sealAuditEvent } from '../audit/audit-chain.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { AuthorizationVersionStore } from '../authorization/authorization-version-store.js';
import type { PolicyStore, StoredPolicy } from '../authorization/policy-store.js';
import type { RoleStore } from '../authorization/role-store.js';
import type { PasswordStore } from '../credentials/passwords/password-store.js';
import type { OneTimeTokenStore } from '../email-links/one-time-token-store.js';
import { AuthError } from '../errors.js';
import type { InvitationStore } from '../invitations/invitation-store.js';
import type { Invitation } from '../invitations/invitations.js';
import type { MembershipStore } from '../memberships/membership-store.js';
import type { Member, Membership } from '../memberships/memberships.js';
import type { OutboxEvent } from '../outbox/outbox.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { StorageStores } from '../ports/storage.js';
import type { SessionStore } from '../sessions/session-store.js';
import { type Session, withAuthentication } from '../sessions/sessions.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import type { Tenant } from '../tenants/tenants.js';
import type { UserStore } from '../users/user-store.js';
import { normalizeEmail } from '../users/users.js';
import { credentialFailureStore } from './memory-credential-failure-store.js';
import { mfaStore } from './memory-mfa-store.js';
import { oauthAccountStore } from './memory-oauth-account-store.js';
import { passkeyStore } from './memory-passkey-store.js';
import { signInStore } from './memory-sign-in-store.js';
import { type MemoryTables, pairKey, type TableWriter, userEmailKey } from './memory-tables.js';

/**
 * Runs one store operation. Operations are synchronous over the tables, so each one is atomic;
 * the runner decides when it may run (after open transactions) and makes it a Promise.
 */
export type RunOperation = <T>(operation: () => T) => Promise<T>;

/** The store slices over `tables`, writing through `writer`. */
export function createMemoryStores(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): StorageStores {
  return {
    tenants: tenantStore(tables, writer, run),
    users: userStore(tables, writer, run),
    passwords: passwordStore(tables, writer, run),
    memberships: membershipStore(tables, writer, run),
    roles: roleStore(tables, writer, run),
    policies: policyStore(tables, writer, run),
    authorizationVersions: authorizationVersionStore(tables, writer, run),
    invitations: invitationStore(tables, writer, run),
    sessions: sessionStore(tables, writer, run),
    audit: auditStore(tables, writer, run),
    outbox: outboxStore(tables, writer, run),
    oneTimeTokens: oneTimeTokenStore(tables, writer, run),
    mfa: mfaStore(tables, writer, run),
    credentialFailures: credentialFailureStore(tables, writer, run),
    passkeys: passkeyStore(tables, writer, run),
    oauthAccounts: oauthAccountStore(tables, writer, run),
    signIn: signInStore(tables, run),
  };
}

function tenantStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): TenantStore {
  return {
    create: (tenant) =>
      run(() => {
        if (tables.tenants.has(tenant.id)) throw conflict('tenants: id exists');
        if (tables.tenantIdBySlug.has(tenant.slug)) throw conflict('tenants: slug exists');
        writer.set(tables.tenants, tenant.id, copy(tenant));
        writer.set(tables.tenantIdBySlug, tenant.slug, tenant.id);
      }),
    findById: (id) => run(() => copyOrNull(tables.tenants.get(id))),
    findBySlug: (slug) => run(() => copyOrNull(lookup(tables.tenants, tables.tenantIdBySlug.get(slug)))),
    // transactions run one at a time here: existing is all a lock needs to report
    lock: (id) => run(() => tables.tenants.has(id)),
    update: (id, patch) =>
      run(() => {
        const current = tables.tenants.get(id);
        if (!current) return null;
        const next: Tenant = { ...current, updatedAt: new Date(patch.updatedAt) };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.status !== undefined) next.status = patch.status;
        if (patch.metadata !== undefined) next.metadata = copy(patch.metadata);
        writer.set(tables.tenants, id, next);
        return copy(next);
      }),
    listForUser: (userId, page) =>
      run(() => {
        const tenants: Tenant[] = [];
        for (const membership of tables.memberships.values()) {
          const tenant = membership.userId === userId ? tables.tenants.get(membership.tenantId) : undefined;
          if (tenant) tenants.push(tenant);
        }
        return paginate(tenants.sort(byId), page, copy);
      }),
  };
}

function userStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): UserStore {
  const findByEmail = (tenantId: string | null, normalizedEmail: string) =>
    lookup(tables.users, tables.userIdByEmail.get(userEmailKey(tenantId, normalizedEmail)));
  return {
    create: (user) =>
      run(() => {
        const emailKey = userEmailKey(user.tenantId, normalizeEmail(user.email));
        if (tables.users.has(user.id)) throw conflict('users: id exists');
        if (tables.userIdByEmail.has(emailKey)) throw conflict('users: email exists in this pool');
        writer.set(tables.users, user.id, copy(user));
        writer.set(tables.userIdByEmail, emailKey, user.id);
      }),
    findById: (id) => run(() => copyOrNull(tables.users.get(id))),
    findByEmail: (tenantId, normalizedEmail) => run(() => copyOrNull(findByEmail(tenantId, normalizedEmail))),
    updateStatus: (id, status, updatedAt) =>
      run(() => {
        const current = tables.users.get(id);
        if (!current) return null;
        const next = { ...current, status, updatedAt: new Date(updatedAt) };
        writer.set(tables.users, id, next);
        return copy(next);
      }),
    markEmailVerified: (id, email, verifiedAt) =>
      run(() => {
        const current = tables.users.get(id);
        if (!current || current.email !== email || current.emailVerifiedAt !== null) return false;
        const at = new Date(verifiedAt);
        writer.set(tables.users, id, { ...current, emailVerifiedAt: at, updatedAt: new Date(at) });
        return true;
      }),
  };
}

function passwordStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): PasswordStore {
  return {
    upsert: (userId, hash, updatedAt) =>
      run(() => writer.set(tables.passwords, userId, { hash, updatedAt: new Date(updatedAt) })),
    findHash: (userId) => run(() => tables.passwords.get(userId)?.hash ?? null),
    replaceIfUnchanged: (userId, expectedHash, newHash, updatedAt) =>
      run(() => {
        if (tables.passwords.get(userId)?.hash !== expectedHash) return false;
        writer.set(tables.passwords, userId, { hash: newHash, updatedAt: new Date(updatedAt) });
        return true;
      }),
  };
}

function membershipStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): MembershipStore {
  return {
    create: (membership) =>
      run(() => {
        const key = pairKey(membership.tenantId, membership.userId);
        if (tables.memberships.has(membership.id)) throw conflict('memberships: id exists');
        if (tables.membershipIdByTenantUser.has(key)) throw conflict('memberships: user is already a member');
        writer.set(tables.memberships, membership.id, copy(membership));
        writer.set(tables.membershipIdByTenantUser, key, membership.id);
      }),
    find: (tenantId, userId) =>
      run(() =>
        copyOrNull(
          lookup(tables.memberships, tables.membershipIdByTenantUser.get(pairKey(tenantId, userId))),
        ),
      ),
    listByTenant: (tenantId, page) =>
      run(() => {
        const members: Member[] = [];
        for (const membership of tables.memberships.values()) {
          // an inner join, as a database would do it: a membership without its user is not listed
          const user = membership.tenantId === tenantId ? tables.users.get(membership.userId) : undefined;
          if (user) {
            members.push({
              ...membership,
              user: { id: user.id, email: user.email, name: user.name, status: user.status },
            });
          }
        }
        return paginate(members.sort(byId), page, copy);
      }),
    listByUser: (userId) =>
      run(() =>
        [...tables.memberships.values()]
          .filter((membership) => membership.userId === userId)
          .sort((a, b) => compare(a.tenantId, b.tenantId) || compare(a.id, b.id))
          .map(copy),
      ),
    updateRoles: (tenantId, userId, roles, updatedAt) =>
      run(() => updateMembership(tenantId, userId, { roles: copy(roles), updatedAt: new Date(updatedAt) })),
    updateAttributes: (tenantId, userId, attributes, updatedAt) =>
      run(() =>
        updateMembership(tenantId, userId, { attributes: copy(attributes), updatedAt: new Date(updatedAt) }),
      ),
    remove: (tenantId, userId) =>
      run(() => {
        const key = pairKey(tenantId, userId);
        const id = tables.membershipIdByTenantUser.get(key);
        if (id === undefined) return false;
        writer.delete(tables.memberships, id);
        writer.delete(tables.membershipIdByTenantUser, key);
        return true;
      }),
    countWithRole: (tenantId, roleKey) =>
      run(() => {
        let count = 0;
        for (const membership of tables.memberships.values()) {
          if (membership.tenantId === tenantId && membership.roles.includes(roleKey)) count += 1;
        }
        return count;
      }),
  };

  function updateMembership(tenantId: string, userId: string, changes: Partial<Membership>) {
    const current = lookup(
      tables.memberships,
      tables.membershipIdByTenantUser.get(pairKey(tenantId, userId)),
    );
    if (!current) return null;
    const next = { ...current, ...changes };
    writer.set(tables.memberships, current.id, next);
    return copy(next);
  }
}

function roleStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): RoleStore {
  return {
    createMany: (roles) =>
      run(() => {
        // check the whole batch first: like one multi-row INSERT, it inserts all or nothing
        const ids = new Set<string>();
        const keys = new Set<string>();
        for (const role of roles) {
          const key = pairKey(role.tenantId, role.key);
          if (tables.roles.has(role.id) || ids.has(role.id)) throw conflict('roles: id exists');
          if (tables.roleIdByTenantKey.has(key) || keys.has(key))
            throw conflict('roles: key exists in tenant');
          ids.add(role.id);
          keys.add(key);
        }
        for (const role of roles) {
          writer.set(tables.roles, role.id, copy(role));
          writer.set(tables.roleIdByTenantKey, pairKey(role.tenantId, role.key), role.id);
        }
      }),
    listByTenant: (tenantId) =>
      run(() =>
        [...tables.roles.values()]
          .filter((role) => role.tenantId === tenantId)
          .sort((a, b) => compare(a.key, b.key))
          .map(copy),
      ),
    findByKey: (tenantId, key) =>
      run(() => copyOrNull(lookup(tables.roles, tables.roleIdByTenantKey.get(pairKey(tenantId, key))))),
    findById: (tenantId, id) => run(() => copyOrNull(ownedBy(tables.roles.get(id), tenantId))),
    update: (tenantId, id, patch) =>
      run(() => {
        const current = ownedBy(tables.roles.get(id), tenantId);
        if (!current) return null;
        const next = { ...current, version: current.version + 1, updatedAt: new Date(patch.updatedAt) };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.permissions !== undefined) next.permissions = copy(patch.permissions);
        writer.set(tables.roles, id, next);
        return copy(next);
      }),
    delete: (tenantId, id) =>
      run(() => {
        const current = ownedBy(tables.roles.get(id), tenantId);
        if (!current) return false;
        writer.delete(tables.roles, id);
        writer.delete(tables.roleIdByTenantKey, pairKey(tenantId, current.key));
        return true;
      }),
  };
}

function policyStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): PolicyStore {
  return {
    create: (policy) =>
      run(() => {
        if (tables.policies.has(policy.id)) throw conflict('policies: id exists');
        writer.set(tables.policies, policy.id, copy(policy));
      }),
    findById: (tenantId, id) => run(() => copyOrNull(ownedBy(tables.policies.get(id), tenantId))),
    listByTenant: (tenantId) =>
      run(() =>
        [...tables.policies.values()]
          .filter((policy) => policy.tenantId === tenantId)
          .sort(byId)
          .map(copy),
      ),
    replace: (tenantId, id, replacement) =>
      run(() => {
        const current = ownedBy(tables.policies.get(id), tenantId);
        if (!current) return null;
        const next: StoredPolicy = {
          id,
          tenantId,
          effect: replacement.effect,
          actions: copy(replacement.actions),
          resource: replacement.resource,
          version: current.version + 1,
          createdAt: current.createdAt,
          updatedAt: new Date(replacement.updatedAt),
        };
        if (replacement.condition !== undefined) next.condition = copy(replacement.condition);
        if (replacement.description !== undefined) next.description = replacement.description;
        writer.set(tables.policies, id, next);
        return copy(next);
      }),
    delete: (tenantId, id) =>
      run(() => {
        if (!ownedBy(tables.policies.get(id), tenantId)) return false;
        writer.delete(tables.policies, id);
        return true;
      }),
  };
}

function authorizationVersionStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): AuthorizationVersionStore {
  const current = (tenantId: string) =>
    tables.authorizationVersions.get(tenantId) ?? { tenantId, roles: 0, policies: 0 };
  const bump = (tenantId: string, which: 'roles' | 'policies') =>
    run(() => {
      const next = { ...current(tenantId) };
      next[which] += 1;
      writer.set(tables.authorizationVersions, tenantId, next);
      return next[which];
    });
  return {
    getVersions: (tenantId) => run(() => copy(current(tenantId))),
    bumpRolesVersion: (tenantId) => bump(tenantId, 'roles'),
    bumpPoliciesVersion: (tenantId) => bump(tenantId, 'policies'),
  };
}

function invitationStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): InvitationStore {
  const update = (invitation: Invitation, changes: Partial<Invitation>) => {
    const next = { ...invitation, ...changes };
    writer.set(tables.invitations, invitation.id, next);
    return next;
  };
  return {
    create: (invitation) =>
      run(() => {
        if (tables.invitations.has(invitation.id)) throw conflict('invitations: id exists');
        if (tables.invitationIdByTokenHash.has(invitation.tokenHash))
          throw conflict('invitations: token hash exists');
        writer.set(tables.invitations, invitation.id, copy(invitation));
        writer.set(tables.invitationIdByTokenHash, invitation.tokenHash, invitation.id);
      }),
    findByTokenHash: (tokenHash) =>
      run(() => copyOrNull(lookup(tables.invitations, tables.invitationIdByTokenHash.get(tokenHash)))),
    listByTenant: (tenantId, page) =>
      run(() =>
        paginate(
          [...tables.invitations.values()]
            .filter((invitation) => invitation.tenantId === tenantId)
            .sort(byId),
          page,
          copy,
        ),
      ),
    revoke: (tenantId, id, updatedAt) =>
      run(() => {
        const invitation = ownedBy(tables.invitations.get(id), tenantId);
        if (!invitation || invitation.status !== 'pending') return false;
        update(invitation, { status: 'revoked', updatedAt: new Date(updatedAt) });
        return true;
      }),
    consumeUse: (id, now) =>
      run(() => {
        const invitation = tables.invitations.get(id);
        if (
          !invitation ||
          invitation.status !== 'pending' ||
          invitation.expiresAt.getTime() <= now.getTime() ||
          invitation.uses >= invitation.maxUses
        )
          return null;
        const uses = invitation.uses + 1;
        return copy(
          update(invitation, {
            uses,
            status: uses >= invitation.maxUses ? 'exhausted' : 'pending',
            updatedAt: new Date(now),
          }),
        );
      }),
  };
}

function oneTimeTokenStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): OneTimeTokenStore {
  return {
    create: (token) =>
      run(() => {
        if (tables.oneTimeTokens.has(token.id)) throw conflict('one-time tokens: id exists');
        if (tables.oneTimeTokenIdByTokenHash.has(token.tokenHash))
          throw conflict('one-time tokens: token hash exists');
        writer.set(tables.oneTimeTokens, token.id, copy(token));
        writer.set(tables.oneTimeTokenIdByTokenHash, token.tokenHash, token.id);
      }),
    findByTokenHash: (tokenHash) =>
      run(() => copyOrNull(lookup(tables.oneTimeTokens, tables.oneTimeTokenIdByTokenHash.get(tokenHash)))),
    consume: (id, now) =>
      run(() => {
        const token = tables.oneTimeTokens.get(id);
        if (!token || token.usedAt !== null || token.expiresAt.getTime() <= now.getTime()) return null;
        const next = { ...token, usedAt: new Date(now) };
        writer.set(tables.oneTimeTokens, id, next);
        return copy(next);
      }),
    expireUnused: (userId, purpose, now) =>
      run(() => {
        let count = 0;
        for (const token of tables.oneTimeTokens.values()) {
          if (token.userId !== userId || token.purpose !== purpose || token.usedAt !== null) continue;
          writer.set(tables.oneTimeTokens, token.id, { ...token, usedAt: new Date(now) });
          count += 1;
        }
        return count;
      }),
  };
}

/** The row when it belongs to the tenant: an id of another tenant's row finds nothing. */
function ownedBy<T extends { tenantId: string | null }>(row: T | undefined, tenantId: string): T | undefined {
  return row && row.tenantId === tenantId ? row : undefined;
}

function sessionStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): SessionStore {
  const update = (session: Session, changes: Partial<Session>) =>
    writer.set(tables.sessions, session.id, { ...session, ...changes });
  return {
    create: (session) =>
      run(() => {
        if (tables.sessions.has(session.id)) throw conflict('sessions: id exists');
        if (tables.sessionIdByTokenHash.has(session.tokenHash)) throw conflict('sessions: token hash exists');
        writer.set(tables.sessions, session.id, copy(session));
        writer.set(tables.sessionIdByTokenHash, session.tokenHash, session.id);
      }),
    findActiveByTokenHash: (tokenHash, now) =>
      run(() => {
        const session = lookup(tables.sessions, tables.sessionIdByTokenHash.get(tokenHash));
        const user = session && isActive(session, now) ? tables.users.get(session.userId) : undefined;
        return session && user ? { session: copy(session), user: copy(user) } : null;
      }),
    touch: (sessionId, lastSeenAt, idleExpiresAt) =>
      run(() => {
        const session = tables.sessions.get(sessionId);
        if (session)
          update(session, { lastSeenAt: new Date(lastSeenAt), idleExpiresAt: new Date(idleExpiresAt) });
      }),
    recordAuthentication: (sessionId, method, at) =>
      run(() => {
        const session = tables.sessions.get(sessionId);
        if (!session || session.revokedAt !== null) return null;
        const next: Session = { ...session, ...withAuthentication(session, method, at) };
        writer.set(tables.sessions, sessionId, next);
        return copy(next);
      }),
    listActiveByUser: (userId, now) =>
      run(() =>
        [...tables.sessions.values()]
          .filter((session) => session.userId === userId && isActive(session, now))
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compare(b.id, a.id))
          .map(copy),
      ),
    revoke: (userId, sessionId, revokedAt, reason) =>
      run(() => {
        const session = tables.sessions.get(sessionId);
        if (!session || session.userId !== userId || session.revokedAt !== null) return false;
        update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
        return true;
      }),
    revokeAllForUser: (userId, revokedAt, reason, exceptSessionId) =>
      run(() => {
        let revoked = 0;
        for (const session of tables.sessions.values()) {
          if (session.userId !== userId || session.revokedAt !== null || session.id === exceptSessionId)
            continue;
          update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
          revoked += 1;
        }
        return revoked;
      }),
    revokeAllForTenant: (tenantId, revokedAt, reason) =>
      run(() => {
        let revoked = 0;
        for (const session of tables.sessions.values()) {
          if (session.tenantId !== tenantId || session.revokedAt !== null) continue;
          update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
          revoked += 1;
        }
        return revoked;
      }),
    revokeAllForTenantMember: (tenantId, userId, revokedAt, reason) =>
      run(() => {
        let revoked = 0;
        for (const session of tables.sessions.values()) {
          if (session.tenantId !== tenantId || session.userId !== userId || session.revokedAt !== null)
            continue;
          update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
          revoked += 1;
        }
        return revoked;
      }),
  };
}

function auditStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): AuditStore {
  const chainOf = (chainKey: string) => tables.auditChains.get(chainKey) ?? [];
  return {
    append: (input) =>
      run(() => {
        if (tables.auditChainById.has(input.id)) throw conflict('audit: id exists');
        const chainKey = input.chainKey;
        const chain = tables.auditChains.get(chainKey);
        const last = chain?.at(-1);
        const head: AuditChainHead = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: '' };
        const hash = sealAuditEvent(head, input);
        const entry: AuditEvent = { ...copy(input), seq: head.seq + 1, prevHash: head.hash, hash };
        if (chain) writer.push(chain, entry);
        else writer.set(tables.auditChains, chainKey, [entry]);
        writer.set(tables.auditChainById, entry.id, chainKey);
      }),
    list: (tenantId, query) =>
      run(() => {
        const chain = chainOf(tenantId);
        const entries: AuditEvent[] = [];
        for (let i = chain.length - 1; i >= 0 && entries.length < query.limit; i--) {
          const entry = chain[i]!;
          if (query.beforeSeq !== undefined && entry.seq >= query.beforeSeq) continue;
          if (query.action !== undefined && entry.action !== query.action) continue;
          entries.push(copy(entry));
        }
        return entries;
      }),
    listChain: (tenantId, afterSeq, limit) =>
      run(() => {
        // seq n sits at index n - 1, so the entries after `afterSeq` start at index `afterSeq`
        const start = Math.max(0, Math.floor(afterSeq));
        return chainOf(tenantId)
          .slice(start, start + Math.max(0, limit))
          .map(copy);
      }),
  };
}

function outboxStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): OutboxStore {
  const update = (id: string, changes: (event: OutboxEvent) => Partial<OutboxEvent>) => {
    const event = tables.outbox.get(id);
    if (event) writer.set(tables.outbox, id, { ...event, ...changes(event) });
  };
  return {
    enqueue: (event) =>
      run(() => {
        if (tables.outbox.has(event.id)) throw conflict('outbox: id exists');
        writer.set(tables.outbox, event.id, copy(event));
      }),
    claimBatch: (now, limit, lockedUntil) =>
      run(() => {
        const claimable = [...tables.outbox.values()]
          .filter(
            (event) =>
              (event.status === 'pending' && event.availableAt.getTime() <= now.getTime()) ||
              (event.status === 'processing' && (event.lockedUntil?.getTime() ?? Infinity) <= now.getTime()),
          )
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compare(a.id, b.id))
          .slice(0, Math.max(0, limit));
        return claimable.map((event) => {
          const claimed: OutboxEvent = { ...event, status: 'processing', lockedUntil: new Date(lockedUntil) };
          writer.set(tables.outbox, event.id, claimed);
          return copy(claimed);
        });
      }),
    markDelivered: (ids, deliveredAt) =>
      run(() => {
        for (const id of ids)
          update(id, () => ({ status: 'delivered', deliveredAt: new Date(deliveredAt), lockedUntil: null }));
      }),
    markFailed: (id, failure) =>
      run(() =>
        update(id, (event) => ({
          status: failure.dead ? 'dead' : 'pending',
          attempts: failure.attempts,
          lastError: failure.lastError,
          availableAt: failure.dead ? event.availableAt : new Date(failure.availableAt),
          lockedUntil: null,
        })),
      ),
    findById: (id) => run(() => copyOrNull(tables.outbox.get(id))),
  };
}

function isActive(session: Session, now: Date): boolean {
  const nowMs = now.getTime();
  return (
    session.revokedAt === null &&
    session.expiresAt.getTime() > nowMs &&
    session.idleExpiresAt.getTime() > nowMs
  );
}

/** Keyset page over rows sorted by id: rows after the cursor, `nextCursor` only when more remain. */
function paginate<T extends { id: string }, R>(sorted: T[], page: PageRequest, map: (row: T) => R): Page<R> {
  const after = page.cursor ? sorted.filter((row) => row.id > page.cursor!) : sorted;
  const items = after.slice(0, Math.max(0, page.limit));
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: last && after.length > items.length ? last.id : null };
}

function lookup<T>(table: Map<string, T>, id: string | undefined): T | undefined {
  return id === undefined ? undefined : table.get(id);
}

/** Callers get copies: changing what a store returned must never change what it holds. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

function copyOrNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : copy(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byId(a: { id: string }, b: { id: string }): number {
  return compare(a.id, b.id);
}

/** A unique violation, shaped like the wrapper's: no detail for callers, the reason in `cause`. */
function conflict(reason: string): AuthError {
  return new AuthError('conflict', { cause: new Error(reason) });
}
