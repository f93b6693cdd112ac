import {
  type AuditEventInput,
  type Membership,
  type OutboxEvent,
  type Role,
  type Session,
  sha256Hex,
  type Tenant,
  type User,
  uuidv7,
} from '@portcullis/core/ports';

/** A fixed instant with milliseconds, to prove they survive every database. */
export const T0 = new Date('2025-03-09T12:34:56.789Z');

export function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

export function makeTenant(overrides: Partial<Tenant> = {}): Tenant {
  const id = uuidv7();
  return {
    id,
    slug: `acme-${id.slice(-12)}`,
    name: 'Acme',
    status: 'active',
    userPool: 'shared',
    metadata: { plan: 'pro', limits: { seats: 5 }, tags: ['a', 'ü'] },
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function makeUser(overrides: Partial<User> = {}): User {
  const id = uuidv7();
  return {
    id,
    tenantId: null,
    email: `User.${id.slice(-12)}@Example.com`,
    emailVerifiedAt: null,
    name: 'Ada',
    status: 'active',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function makeMembership(
  tenantId: string,
  userId: string,
  overrides: Partial<Membership> = {},
): Membership {
  return {
    id: uuidv7(),
    tenantId,
    userId,
    roles: ['member'],
    attributes: { department: 'sales' },
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function makeRole(tenantId: string, key: string, overrides: Partial<Role> = {}): Role {
  return {
    id: uuidv7(),
    tenantId,
    key,
    name: key.toUpperCase(),
    permissions: [`${key}.*`, 'doc.read'],
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function makeSession(userId: string, overrides: Partial<Session> = {}): Session {
  return {
    id: uuidv7(),
    userId,
    tenantId: null,
    tokenHash: sha256Hex(uuidv7()),
    createdAt: T0,
    lastSeenAt: T0,
    idleExpiresAt: at(60 * 60_000),
    expiresAt: at(24 * 60 * 60_000),
    revokedAt: null,
    revokedReason: null,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (test)',
    amr: ['pwd', 'otp'],
    authTime: { pwd: 1_741_523_696, otp: 1_741_523_700 },
    ...overrides,
  };
}

export function makeAuditInput(
  tenantId: string | null,
  overrides: Partial<AuditEventInput> = {},
): AuditEventInput {
  return {
    id: uuidv7(),
    tenantId,
    chainKey: tenantId ?? '*',
    actorType: 'user',
    actorId: uuidv7(),
    impersonatorId: null,
    action: 'user.login',
    targetType: 'user',
    targetId: null,
    ip: '198.51.100.1',
    userAgent: 'test',
    requestId: 'req-1',
    data: { ok: true },
    createdAt: T0,
    ...overrides,
  };
}

export function makeOutboxEvent(overrides: Partial<OutboxEvent> = {}): OutboxEvent {
  return {
    id: uuidv7(),
    tenantId: null,
    type: 'user.created',
    payload: { userId: 'u1', nested: { list: [1, 2, 3] } },
    requestId: null,
    status: 'pending',
    attempts: 0,
    createdAt: T0,
    availableAt: T0,
    lockedUntil: null,
    lastError: null,
    deliveredAt: null,
    ...overrides,
  };
}
