import { z } from 'zod';
import type { Member } from '../memberships/memberships.js';
import type { Session, SessionWithUser } from '../sessions/sessions.js';
import type { Tenant, TenantWithRoles } from '../tenants/tenants.js';
import type { User } from '../users/users.js';
import { component } from './openapi-components.js';

/** Response shapes for OpenAPI, and the functions that produce them from domain objects. */
export const userSchema = component(
  'User',
  z.object({
    id: z.string(),
    tenantId: z.string().nullable(),
    email: z.string(),
    emailVerifiedAt: z.string().nullable(),
    name: z.string().nullable(),
    status: z.enum(['active', 'suspended', 'deleted']),
    createdAt: z.string(),
  }),
);

export const sessionSchema = component(
  'Session',
  z.object({
    id: z.string(),
    tenantId: z.string().nullable(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
    idleExpiresAt: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    amr: z.array(z.string()),
    authTime: z
      .record(z.string(), z.number())
      .describe('When each method (an amr value) was last used, in epoch seconds'),
    current: z.boolean(),
  }),
);

export const tenantSchema = component(
  'Tenant',
  z.object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    status: z.enum(['active', 'suspended']),
    userPool: z.enum(['shared', 'isolated']),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

/** A tenant in its member's list: with that member's roles, for an organization switcher. */
export const tenantWithRolesSchema = component(
  'TenantWithRoles',
  tenantSchema.extend({ roles: z.array(z.string()).describe("The caller's role keys in the tenant") }),
);

export const membershipSchema = component(
  'Membership',
  z.object({
    id: z.string(),
    tenantId: z.string(),
    userId: z.string(),
    roles: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

/** A membership as member lists show it: with the user, without `updatedAt`. */
export const memberSchema = component(
  'Member',
  membershipSchema.omit({ updatedAt: true }).extend({
    user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), status: z.string() }),
  }),
);

export const problemSchema = component(
  'Problem',
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    code: z.string(),
    detail: z.string().optional(),
    requestId: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    maxAgeSeconds: z.number().optional().describe('step_up_required: how recent the authentication must be'),
    methods: z.array(z.string()).optional().describe('step_up_required: the methods that can satisfy it'),
    reason: z
      .object({ kind: z.string() })
      .catchall(z.unknown())
      .optional()
      .describe('forbidden by an authorization decision: why it denied'),
    'violated-policies': z
      .array(z.string())
      .optional()
      .describe('rate_limited (type …#quota-exceeded): the rate-limit policies exceeded'),
  }),
);

export const signedInSchema = z.object({ user: userSchema, session: sessionSchema });

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A user as the HTTP API shows it: JSON only, dates as ISO 8601 strings. */
export interface PublicUser {
  id: string;
  tenantId: string | null;
  email: string;
  emailVerifiedAt: string | null;
  name: string | null;
  status: User['status'];
  createdAt: string;
}

/** A session as the HTTP API shows it: JSON only, dates as ISO 8601 strings, never the token hash. */
export interface PublicSession {
  id: string;
  tenantId: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
  /** When each method (an `amr` value) was last used, in epoch seconds. */
  authTime: Record<string, number>;
  /** Whether it is the session of the request that asked. */
  current: boolean;
}

/**
 * The body `GET /session` answers: the signed-in user and their session, as plain JSON data
 * (dates as ISO 8601 strings, no class instances), so that a server can hand it to the browser
 * as it is.
 */
export interface SerializedSession {
  user: PublicUser;
  session: PublicSession;
}

/**
 * A session and its user exactly as `GET /session` answers them (its route uses this very
 * function), for server rendering: a server component passes it to the browser client as its
 * initial session, and the client's first snapshot equals what the client would fetch.
 *
 * @example
 * const found = await auth.api.getSession(request.headers)
 * const initialSession = found ? serializeSession(found) : null
 */
export function serializeSession(found: SessionWithUser): SerializedSession {
  return { user: toPublicUser(found.user), session: toPublicSession(found.session, found.session.id) };
}

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    tenantId: user.tenantId,
    email: user.email,
    emailVerifiedAt: iso(user.emailVerifiedAt),
    name: user.name,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
  };
}

/** Never includes the token hash. */
export function toPublicSession(session: Session, currentSessionId?: string | null): PublicSession {
  return {
    id: session.id,
    tenantId: session.tenantId,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    idleExpiresAt: session.idleExpiresAt.toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
    amr: session.amr,
    authTime: session.authTime,
    current: session.id === currentSessionId,
  };
}

export function toPublicTenant(tenant: Tenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    status: tenant.status,
    userPool: tenant.userPool,
    metadata: tenant.metadata,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

export function toPublicTenantWithRoles(tenant: TenantWithRoles) {
  return { ...toPublicTenant(tenant), roles: tenant.roles };
}

export function toPublicMember(member: Member) {
  return {
    id: member.id,
    tenantId: member.tenantId,
    userId: member.userId,
    roles: member.roles,
    attributes: member.attributes,
    createdAt: member.createdAt.toISOString(),
    user: member.user,
  };
}
