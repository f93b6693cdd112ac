import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiKey } from '../api-keys/api-keys.js';
import {
  type AuditChainHead,
  type AuditEvent,
  type AuditEventInput,
  GLOBAL_AUDIT_CHAIN,
} from '../audit/audit.js';
import { sealAuditEvent } from '../audit/audit-chain.js';
import type { StoredPolicy } from '../authorization/policy-store.js';
import type { Role } from '../authorization/roles.js';
import type { Passkey } from '../credentials/passkeys/passkeys.js';
import type { TotpCredential } from '../credentials/totp/mfa.js';
import { sha256Hex } from '../crypto/random.js';
import { uuidv7 } from '../crypto/uuid.js';
import { isAuthError } from '../errors.js';
import type { Invitation } from '../invitations/invitations.js';
import type { Membership } from '../memberships/memberships.js';
import type { OutboxEvent } from '../outbox/outbox.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { Session } from '../sessions/sessions.js';
import type { Tenant } from '../tenants/tenants.js';
import type { User } from '../users/users.js';

/** What each group of storage cases gets: a way to declare a test, and the (wrapped) storage under test. */
export interface StorageCases {
  it(title: string, fn: () => Promise<void>): void;
  storage(): Storage;
}

// The database may be shared with other test files and earlier runs: every row the suite writes
// gets a fresh id and, where unique, a random slug or email.

export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

export function later(date: Date, milliseconds: number): Date {
  return new Date(date.getTime() + milliseconds);
}

/** JSON with what databases tend to get wrong: nesting, arrays, null, booleans, floats, unicode. */
export function richJson(): Record<string, unknown> {
  return {
    plan: 'pro',
    seats: 12,
    ratio: 0.25,
    trial: false,
    tags: ['b2b', 'eu', 'früh'],
    nested: { owner: null, limits: { projects: 3 }, list: [1, 'two', { three: 3 }] },
    emoji: 'Château 北京 🏰',
    empty: {},
  };
}

export function aTenant(overrides: Partial<Tenant> = {}): Tenant {
  const now = new Date();
  return {
    id: uuidv7(),
    slug: `acme-${randomSuffix()}`,
    name: 'Acme',
    status: 'active',
    userPool: 'shared',
    metadata: {},
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function aUser(overrides: Partial<User> = {}): User {
  const now = new Date();
  return {
    id: uuidv7(),
    tenantId: null,
    email: `user-${randomSuffix()}@example.test`,
    emailVerifiedAt: null,
    name: 'Ada Lovelace',
    status: 'active',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function aMembership(
  tenantId: string,
  userId: string,
  overrides: Partial<Membership> = {},
): Membership {
  const now = new Date();
  return {
    id: uuidv7(),
    tenantId,
    userId,
    roles: ['member'],
    attributes: {},
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function aRole(tenantId: string, key: string, overrides: Partial<Role> = {}): Role {
  const now = new Date();
  return {
    id: uuidv7(),
    tenantId,
    key,
    name: key,
    permissions: [`${key}.read`],
    version: 1,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A tenant policy letting owners update their documents, version 1. */
export function aPolicy(tenantId: string, overrides: Partial<StoredPolicy> = {}): StoredPolicy {
  const now = new Date();
  return {
    id: uuidv7(),
    tenantId,
    effect: 'allow',
    actions: ['document.update', 'document.delete'],
    resource: 'document',
    condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
    description: 'Members may edit their own documents',
    version: 1,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A pending open-link invitation with 3 uses, expiring in a week. */
export function anInvitation(tenantId: string, overrides: Partial<Invitation> = {}): Invitation {
  const now = new Date();
  return {
    id: uuidv7(),
    tenantId,
    email: null,
    roles: ['member'],
    tokenHash: sha256Hex(randomBytes(32).toString('base64url')),
    maxUses: 3,
    uses: 0,
    status: 'pending',
    expiresAt: later(now, 7 * 24 * 3_600_000),
    createdBy: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A fresh session of `userId`, created at `now`, idle-expiring in 30 minutes and expiring in 7 days. */
export function aSession(userId: string, now: Date, overrides: Partial<Session> = {}): Session {
  return {
    id: uuidv7(),
    userId,
    tenantId: null,
    tokenHash: sha256Hex(randomBytes(32).toString('base64url')),
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: later(now, 30 * 60_000),
    expiresAt: later(now, 7 * 24 * 3_600_000),
    revokedAt: null,
    revokedReason: null,
    ip: null,
    userAgent: null,
    amr: ['pwd'],
    authTime: { pwd: Math.floor(now.getTime() / 1000) },
    ...overrides,
  };
}

export function anAuditEvent(
  tenantId: string | null,
  overrides: Partial<AuditEventInput> = {},
): AuditEventInput {
  return {
    id: uuidv7(),
    tenantId,
    chainKey: tenantId ?? GLOBAL_AUDIT_CHAIN,
    actorType: 'user',
    actorId: uuidv7(),
    impersonatorId: null,
    action: 'user.signed_in',
    targetType: null,
    targetId: null,
    ip: null,
    userAgent: null,
    requestId: null,
    data: {},
    createdAt: new Date(),
    ...overrides,
  };
}

/** Checks entries read with `listChain(tenant, 0, ...)`: seqs 1..n, each linked to and sealed over the previous. */
export function expectVerifiedChain(entries: AuditEvent[]): void {
  let head: AuditChainHead = { seq: 0, hash: '' };
  for (const entry of entries) {
    expect({ seq: entry.seq, prevHash: entry.prevHash }).toEqual({ seq: head.seq + 1, prevHash: head.hash });
    expect(entry.hash).toBe(sealAuditEvent(head, entry));
    head = { seq: entry.seq, hash: entry.hash };
  }
}

export function anOutboxEvent(createdAt: Date, overrides: Partial<OutboxEvent> = {}): OutboxEvent {
  return {
    id: uuidv7(),
    tenantId: null,
    type: 'user.created',
    payload: { userId: uuidv7() },
    requestId: null,
    status: 'pending',
    attempts: 0,
    createdAt,
    availableAt: createdAt,
    lockedUntil: null,
    lastError: null,
    deliveredAt: null,
    ...overrides,
  };
}

const OUTBOX_ORIGIN_MS = Date.UTC(2000, 0, 1);
const OUTBOX_MIRROR_FROM_MS = Date.UTC(2025, 0, 1);

/**
 * A time to date outbox events at. `claimBatch` claims every due event in the database, so the
 * suite dates its events decades in the past, where no real event is due later than them, and a
 * little earlier on every run (time runs backwards from 2000), so that what an earlier, failed run
 * left behind is not yet due for a later one. Within 1970-2038, for MySQL `TIMESTAMP` columns.
 */
export function outboxEpoch(): Date {
  return new Date(OUTBOX_ORIGIN_MS - (Date.now() - OUTBOX_MIRROR_FROM_MS));
}

/**
 * Runs `fn` in a transaction that is then rolled back, so that what it writes is never seen by
 * other connections (no claimer of another test file can take the events it enqueues).
 */
export async function inRolledBackTransaction(
  storage: Storage,
  fn: (tx: StorageStores) => Promise<void>,
): Promise<void> {
  const rollback = new Error('conformance: roll back');
  const error = await caught(() =>
    storage.transaction(async (tx) => {
      await fn(tx);
      throw rollback;
    }),
  );
  if (error !== rollback) throw error;
}

/** The error `run` rejects (or throws) with; fails when it succeeds. */
export async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

export async function expectConflict(run: () => Promise<unknown>): Promise<void> {
  const error = await caught(run);
  expect(isAuthError(error, 'conflict'), `expected AuthError('conflict'), got ${String(error)}`).toBe(true);
}

/**
 * A row lock (`tenants.lock`, `users.lock`) holds until its transaction ends: `lock` reports
 * false for an unknown id, and a second transaction locking `id` gets it only after the first
 * one, which holds it for 150 ms, committed.
 */
export async function expectLockHeldUntilCommit(
  storage: Storage,
  lock: (tx: StorageStores, id: string) => Promise<boolean>,
  id: string,
  unknownId: string,
): Promise<void> {
  expect(await storage.transaction((tx) => lock(tx, unknownId))).toBe(false);
  const order: string[] = [];
  let locked!: () => void;
  const firstHasLock = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const first = storage.transaction(async (tx) => {
    expect(await lock(tx, id)).toBe(true);
    locked();
    await new Promise((resolve) => setTimeout(resolve, 150));
    order.push('first commits');
  });
  await firstHasLock;
  const second = storage.transaction(async (tx) => {
    expect(await lock(tx, id)).toBe(true);
    order.push('second has the lock');
  });
  await Promise.all([first, second]);
  expect(order).toEqual(['first commits', 'second has the lock']);
}

/** A pending (unconfirmed) TOTP credential of the user. */
export function aTotp(userId: string, overrides: Partial<TotpCredential> = {}): TotpCredential {
  const now = new Date();
  return {
    userId,
    secretSealed: `v1.${randomSuffix()}.sealed-secret.tag`,
    confirmedAt: null,
    lastUsedStep: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A passkey of the user, with a long credential id as real authenticators may send. */
export function aPasskey(userId: string, overrides: Partial<Passkey> = {}): Passkey {
  const now = new Date();
  // credential ids may be long (up to 1023 bytes): the lookup goes through their hash
  const credentialId = randomBytes(overrides.credentialId ? 0 : 700).toString('base64url');
  return {
    id: uuidv7(),
    userId,
    credentialId,
    credentialIdHash: sha256Hex(credentialId),
    publicKey: randomBytes(77).toString('base64url'),
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'multiDevice',
    backedUp: true,
    aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
    name: 'MacBook Touch ID — Château',
    createdAt: now,
    lastUsedAt: null,
    updatedAt: now,
    ...overrides,
  };
}

/** An active, tenant-owned `live` API key with a random hash and no limits. */
export function anApiKey(tenantId: string, overrides: Partial<ApiKey> = {}): ApiKey {
  const now = new Date('2025-03-04T05:06:07.089Z');
  return {
    id: uuidv7(),
    tenantId,
    environment: 'live',
    ownerUserId: null,
    name: `deploy bot ${randomSuffix()}`,
    keyHash: sha256Hex(`key-${randomSuffix()}`),
    pepperVersion: 1,
    start: 'pc_live_Ab3',
    lastFour: 'x9Z2',
    permissions: ['invoice.read', 'invoice.*'],
    constraints: null,
    expiresAt: null,
    status: 'active',
    revokedAt: null,
    revokedReason: null,
    predecessorId: null,
    successorId: null,
    overlapEndsAt: null,
    createdBy: null,
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    rateLimitPolicies: null,
    creditsRemaining: null,
    creditRefillAmount: null,
    creditRefillInterval: null,
    creditsRefilledAt: null,
    leakReportedAt: null,
    ...overrides,
  };
}
