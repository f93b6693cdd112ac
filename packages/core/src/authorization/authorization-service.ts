import { z } from 'zod';
import { AuthError } from '../errors.js';
import type { Membership } from '../memberships/memberships.js';
import type { Clock } from '../ports/clock.js';
import type { Storage } from '../ports/storage.js';
import { isMultiFactor, type Session } from '../sessions/sessions.js';
import type { AuthorizationCache } from './authorization-cache.js';
import type { AuthorizationFilter } from './authorization-filter.js';
import type { ResolvedAuthorizationOptions } from './authorization-options.js';
import {
  type AuthorizationResource,
  type AuthorizationSubject,
  type Authorizer,
  buildAuthorizer,
  type Decision,
  type DecisionReason,
} from './authorizer.js';
import { estimateAuthorizerBytes } from './authorizer-size.js';
import type { PermissionCatalogListing } from './permission-catalog.js';
import { permissionCovers } from './permissions.js';
import type { Condition } from './policy.js';
import { type CompiledCondition, compileCondition, TRUE } from './policy-compiler.js';
import { actionPatternSchema } from './policy-schema.js';

/** A question about one user in one tenant. */
export interface AuthorizeInput {
  userId: string;
  tenantId: string;
  /** `resource.action`, e.g. `document.update`. */
  action: string;
  resource?: AuthorizationResource;
  /**
   * Extra facts for `context.*`. The server's own win over anything passed here: `time` (ISO
   * 8601), `utcHour` (0–23), `utcWeekday` (0 = Sunday), `ip`, `mfa` and `authAgeSeconds`.
   */
  context?: Record<string, unknown>;
  explain?: boolean;
  /** The caller's session, for `context.mfa` and `context.authAgeSeconds`. */
  session?: Pick<Session, 'amr' | 'authTime'>;
  /** The caller's address, for `context.ip`. */
  ip?: string | null;
  /**
   * How much of the decision to tell. `full` (the default, for the app's own code): the deciding
   * policy's id and description, and with `explain` every policy considered and why. `caller`,
   * when the answer goes to the member it is about (`POST /tenants/:tenantId/authorize`): the
   * same if they may read the tenant's policies (`policy.manage`, as `listPolicies` requires);
   * otherwise a policy's decision reads `{ kind: 'undisclosed_policy', effect }` and the
   * explanation lists their roles only, since conditions reveal how access is guarded.
   * `requirePermission` tells its refusal (the 403's `reason`) as `caller` unless given `full`.
   */
  disclosure?: 'full' | 'caller';
}

/**
 * A machine credential acting in a tenant: an M2M client (its token's scopes, mapped to
 * permissions by `clients.scopes`) or, later, an API key (its own permissions). Its permissions
 * bound what it may do: an action they do not cover is denied (`outside_grants`) whatever
 * policies say; within them, the tenant's deny policies still win. Conditions read
 * `subject.type`, `subject.id` and `subject.environment`.
 */
export type MachinePrincipal =
  | { type: 'client'; id: string; scopes: readonly string[]; environment?: string | null }
  | {
      type: 'api_key';
      id: string;
      permissions: readonly string[];
      environment?: string | null;
      /**
       * The user who owns the key: every decision also asks whether that user, as they are now,
       * may do it (`owner_not_allowed` otherwise), so no key is more powerful than its owner.
       * Absent or null for a key the tenant owns.
       */
      ownerUserId?: string | null;
      /** The key's own condition: a use that does not meet it is denied (`key_constraint`). */
      constraints?: Condition | null;
    };

/**
 * A question about a machine credential in one tenant. The caller has verified the credential
 * and that it belongs to `tenantId` (an access token's `tid`).
 */
export interface MachineAuthorizeInput extends Omit<AuthorizeInput, 'userId' | 'session' | 'disclosure'> {
  principal: MachinePrincipal;
}

/** Many resources, one subject, action and context. */
export interface AuthorizeManyInput extends Omit<AuthorizeInput, 'resource' | 'explain'> {
  resources: readonly AuthorizationResource[];
}

/** A decision, or `not_member` when the user has no membership in the tenant. */
export type AuthorizationResult =
  | Decision
  | { readonly allowed: false; readonly reason: { readonly kind: 'not_member' } };

/** The authorization operations of `auth.api`: decisions, guards, filters and the catalog. */
export interface AuthorizationApi {
  /**
   * The permission catalog (`authorization.permissions` plus the built-in tenant permissions),
   * and whether it is enforced, for admin UIs rendering role and policy editors.
   *
   * @example
   * const { resources } = auth.api.listPermissions()
   * // [{ resource: 'document', actions: ['create', 'delete', 'read', 'update'] }, …]
   */
  listPermissions(): PermissionCatalogListing;
  /**
   * Is the user allowed `action` (on `resource`) in the tenant? Roles, the tenant's policies and
   * code-defined ones decide; `explain` lists every rule considered. A user with no membership
   * gets `{ allowed: false, reason: { kind: 'not_member' } }`. With a permission catalog
   * configured, an action outside it throws `unknown_permission` (a typo in code should fail
   * loudly, not read as a deny); over HTTP that is a 422. Compiled rules and memberships are
   * cached (see `AuthorizationCache`): a cached decision does no I/O.
   *
   * @example
   * const { allowed } = await auth.api.authorize({ userId, tenantId, action: 'document.update',
   *   resource: { type: 'document', ownerId: doc.ownerId } })
   */
  /**
   * The same question for a machine credential (`principal`: an M2M client with its token's
   * scopes, or an API key): the same engine decides, with the permissions its scopes map to in
   * place of roles, and never beyond them.
   *
   * @example
   * const principal = await auth.api.verifyAccessToken(bearer)
   * const { allowed } = await auth.api.authorize({ tenantId: principal.tenantId!, action: 'invoice.read',
   *   principal: { type: 'client', id: principal.id, scopes: principal.scopes, environment: principal.environment } })
   */
  authorize(input: AuthorizeInput | MachineAuthorizeInput): Promise<AuthorizationResult>;
  /**
   * {@link authorize} for many resources at once (a page of documents, say): one decision per
   * resource, in order, with the membership and the compiled rules looked up once.
   *
   * @example
   * const decisions = await auth.api.authorizeMany({ userId, tenantId, action: 'document.update',
   *   resources: docs.map((d) => ({ type: 'document', ownerId: d.ownerId })) })
   * const editable = docs.filter((_, i) => decisions[i]!.allowed)
   */
  authorizeMany(input: AuthorizeManyInput): Promise<AuthorizationResult[]>;
  /**
   * {@link authorize} as a guard, the rule `requirePermission` in `@portcullis/express`
   * and `@portcullis/nextjs` applies: returns the allowing decision; throws `not_found` when the
   * user is not a member of the tenant (a tenant id tells an outsider nothing) and `forbidden`,
   * carrying the decision's `reason`, when denied.
   *
   * @example
   * await auth.api.requirePermission({ userId, tenantId, action: 'invoice.refund', session, ip })
   */
  requirePermission(input: AuthorizeInput): Promise<Decision>;
  /**
   * Which resources of a type the user may act on, as `all`, `none` or a condition that
   * `toKyselyWhere` / `toDrizzleWhere` turn into a `where`. An action outside a configured
   * catalog throws `unknown_permission`, as in {@link authorize}.
   *
   * @example
   * const filter = await auth.api.authorizationFilter({ userId, tenantId, action: 'document.read',
   *   resourceType: 'document' })
   * const docs = await db.selectFrom('document').selectAll()
   *   .where((eb) => toKyselyWhere(eb, filter, { ownerId: 'owner_id' })).execute()
   */
  authorizationFilter(
    input: Omit<AuthorizeInput, 'resource' | 'explain'> & { resourceType: string },
  ): Promise<AuthorizationFilter>;
}

/** The authorization domain: its `auth.api` operations and the tenant routes' permission check. */
export interface AuthorizationService {
  api: AuthorizationApi;
  /**
   * As {@link AuthorizationApi.authorize}, returning the membership the decision used; null when
   * the user is not a member. The tenant routes check their built-in permissions
   * (`member.update`, …) with it.
   */
  decideForMember(input: AuthorizeInput): Promise<{ membership: Membership; decision: Decision } | null>;
  /**
   * Decides for an M2M client of the tenant, which has no membership and so no roles: only the
   * tenant's and the global policies can allow it. Its subject is `{ id: <client id>, type:
   * 'client', tenantId, roles: [] }`, so a condition can name it (`subject.id`, `subject.type`).
   * Token exchange asks it when the actor is a client.
   */
  decideForClient(input: ClientAuthorizeInput): Promise<Decision>;
}

/** A question about one M2M client in its tenant (see `AuthorizationService.decideForClient`). */
export interface ClientAuthorizeInput
  extends Pick<AuthorizeInput, 'tenantId' | 'action' | 'resource' | 'context' | 'explain' | 'ip'> {
  clientId: string;
}

/** What the authorization service uses. */
export interface AuthorizationServiceDeps {
  storage: Storage;
  clock: Clock;
  cache: AuthorizationCache;
}

const NOT_MEMBER: AuthorizationResult = Object.freeze({
  allowed: false,
  reason: Object.freeze({ kind: 'not_member' as const }),
});

/** The body of `POST /tenants/:tenantId/authorize`. */
export const authorizeInputSchema = z
  .object({
    action: actionPatternSchema.refine((a) => !a.includes('*'), 'ask about one action, not a pattern'),
    resource: z
      .object({ type: z.string().min(1).max(100) })
      .catchall(z.unknown())
      .optional(),
    context: z.record(z.string().max(100), z.unknown()).optional(),
    explain: z.boolean().optional(),
  })
  .strict();

/** Questions one `POST /tenants/:tenantId/permissions/check` may ask: a page's gates, not a scan. */
export const MAX_PERMISSION_CHECKS = 50;

/**
 * The body of `POST /tenants/:tenantId/permissions/check`: many questions of the signed-in
 * member, each an action (and resource) checked as `POST /tenants/:tenantId/authorize` checks it.
 */
export const checkPermissionsInputSchema = z
  .object({
    checks: z
      .array(authorizeInputSchema.pick({ action: true, resource: true }))
      .min(1)
      .max(MAX_PERMISSION_CHECKS),
  })
  .strict();

export function createAuthorizationService(
  { storage, clock, cache }: AuthorizationServiceDeps,
  {
    policies: globalPolicies,
    permissions: catalog,
    scopePermissions = {},
  }: ResolvedAuthorizationOptions & {
    /** `clients.scopes`: the permissions each M2M client scope grants. */
    scopePermissions?: Readonly<Record<string, readonly string[]>>;
  },
): AuthorizationService {
  function authorizerFor(tenantId: string): Promise<Authorizer> {
    return cache.authorizer(
      tenantId,
      () => storage.authorizationVersions.getVersions(tenantId),
      async (previous) => {
        const [roles, policies, tenant] = await Promise.all([
          storage.roles.listByTenant(tenantId),
          storage.policies.listByTenant(tenantId),
          storage.tenants.findById(tenantId),
        ]);
        // a suspended (or vanished) tenant allows nothing; its status is cached like its rules
        if (tenant?.status !== 'active')
          return {
            authorizer: suspendedAuthorizer(tenantId),
            sizeBytes: estimateAuthorizerBytes(EMPTY(tenantId)),
          };
        const input = { tenantId, roles, policies: [...globalPolicies, ...policies] };
        // in slices, reusing what the previous build compiled: a tenant with many policies must
        // not stall the other tenants' decisions
        const authorizer = await buildAuthorizer(input, { previous });
        return { authorizer, sizeBytes: estimateAuthorizerBytes(input) };
      },
    );
  }

  const subjectOf = (membership: Membership): AuthorizationSubject => ({
    id: membership.userId,
    tenantId: membership.tenantId,
    roles: membership.roles,
    attributes: membership.attributes,
  });

  interface Found {
    membership: Membership;
    subject: AuthorizationSubject;
    authorizer: Authorizer;
  }

  function subjectAndAuthorizer(userId: string, tenantId: string): Found | Promise<Found | null> {
    // the hot path: both cached and fresh, decided without waiting on anything
    const hit = cache.fresh(tenantId, userId);
    if (hit) return { ...hit, subject: subjectOf(hit.membership) };
    return loadSubjectAndAuthorizer(userId, tenantId);
  }

  async function loadSubjectAndAuthorizer(userId: string, tenantId: string): Promise<Found | null> {
    const membership = await cache.membership(tenantId, userId, () =>
      storage.memberships.find(tenantId, userId),
    );
    if (!membership) return null;
    return { membership, subject: subjectOf(membership), authorizer: await authorizerFor(tenantId) };
  }

  function assertKnownAction(action: string) {
    const problem = catalog.findProblem(action);
    if (problem) {
      throw new AuthError('unknown_permission', {
        detail: `action: ${problem}`,
        issues: [{ path: 'action', message: problem }],
      });
    }
  }

  /** Facts the server knows; they override anything the caller put under the same names. */
  // the clock's facts change at most once a millisecond; decisions come far more often
  let clockFacts = { ms: Number.NaN, time: '', utcHour: 0, utcWeekday: 0 };
  function serverContext(input: Pick<AuthorizeInput, 'context' | 'session' | 'ip'>) {
    const now = clock.now();
    if (now.getTime() !== clockFacts.ms) {
      clockFacts = {
        ms: now.getTime(),
        time: now.toISOString(),
        utcHour: now.getUTCHours(),
        utcWeekday: now.getUTCDay(),
      };
    }
    const facts: Record<string, unknown> = {
      ...input.context,
      time: clockFacts.time,
      utcHour: clockFacts.utcHour,
      utcWeekday: clockFacts.utcWeekday,
    };
    // never the caller's word for these: absent when the server does not know them
    if (input.context) {
      delete facts.ip;
      delete facts.mfa;
      delete facts.authAgeSeconds;
    }
    if (input.ip !== undefined) facts.ip = input.ip;
    if (input.session) {
      facts.mfa = isMultiFactor(input.session.amr);
      const times = Object.values(input.session.authTime);
      if (times.length > 0) facts.authAgeSeconds = Math.floor(now.getTime() / 1000) - Math.max(...times);
    }
    return facts;
  }

  function decideWith(found: Found, input: AuthorizeInput): Decision {
    const context = serverContext(input);
    const decision = found.authorizer.decide({
      subject: found.subject,
      action: input.action,
      ...(input.resource ? { resource: input.resource } : {}),
      context,
      explain: input.explain ?? false,
    });
    if (input.disclosure !== 'caller' || !mentionsPolicies(decision)) return decision;
    return mayReadPolicies(found, context) ? decision : withoutPolicies(decision);
  }

  /**
   * Whether the subject may read the tenant's policies: the rule of `listPolicies`, which is
   * `policy.manage` by roles or policies, and by roles alone when a policy denies it (a careless
   * deny never locks the admins out of repairing it; tenant-service.ts). The roles' part is read
   * from the explanation, which lists each of the subject's roles and whether it grants.
   */
  function mayReadPolicies(found: Found, context: Record<string, unknown>): boolean {
    const check = found.authorizer.decide({
      subject: found.subject,
      action: 'policy.manage',
      context,
      explain: true,
    });
    if (check.allowed) return true;
    if (check.reason.kind === 'tenant_suspended') return false;
    return (check.explanation ?? []).some((entry) => entry.rule.startsWith('role:') && entry.matched);
  }

  async function decideForMember(input: AuthorizeInput) {
    assertKnownAction(input.action);
    const pending = subjectAndAuthorizer(input.userId, input.tenantId);
    const found = pending instanceof Promise ? await pending : pending;
    if (!found) return null;
    return { membership: found.membership, decision: decideWith(found, input) };
  }

  /** The permissions a machine credential holds: its scopes' (only configured ones), or its own. */
  function grantsOf(principal: MachinePrincipal): readonly string[] {
    if (principal.type === 'api_key') return principal.permissions;
    return principal.scopes.flatMap((scope) =>
      Object.hasOwn(scopePermissions, scope) ? (scopePermissions[scope] ?? []) : [],
    );
  }

  async function decideForMachine(input: MachineAuthorizeInput): Promise<Decision> {
    const { principal } = input;
    const grants = grantsOf(principal);
    if (!grants.some((permission) => permissionCovers(permission, input.action))) return OUTSIDE_GRANTS;
    const subject = {
      id: principal.id,
      type: principal.type,
      tenantId: input.tenantId,
      environment: principal.environment ?? null,
      roles: [],
      grants,
    };
    const context = serverContext(input);
    if (principal.type === 'api_key') {
      // the key's own condition, then its owner as they are now: both must hold
      if (
        principal.constraints &&
        constraintOf(principal.constraints)(subject, input.resource, context) !== TRUE
      ) {
        return KEY_CONSTRAINT_UNMET;
      }
      if (principal.ownerUserId) {
        const owner = await decideForMember({
          userId: principal.ownerUserId,
          tenantId: input.tenantId,
          action: input.action,
          ...(input.resource ? { resource: input.resource } : {}),
          ...(input.context ? { context: input.context } : {}),
          ...(input.ip !== undefined ? { ip: input.ip } : {}),
        });
        if (!owner?.decision.allowed) return OWNER_NOT_ALLOWED;
      }
    }
    const authorizer = await authorizerFor(input.tenantId);
    return authorizer.decide({
      subject,
      action: input.action,
      ...(input.resource ? { resource: input.resource } : {}),
      context,
      explain: input.explain ?? false,
    });
  }

  /** A key's condition, compiled once per condition object (cached keys keep theirs). */
  const compiledConstraints = new WeakMap<object, CompiledCondition>();
  function constraintOf(condition: Condition): CompiledCondition {
    let compiled = compiledConstraints.get(condition);
    if (!compiled) compiledConstraints.set(condition, (compiled = compileCondition(condition)));
    return compiled;
  }

  /** An M2M client as the actor of a token exchange: no grants, so tenant policies alone decide. */
  async function decideForClient(input: ClientAuthorizeInput): Promise<Decision> {
    assertKnownAction(input.action);
    const authorizer = await authorizerFor(input.tenantId);
    return authorizer.decide({
      subject: { id: input.clientId, type: 'client', tenantId: input.tenantId, roles: [] },
      action: input.action,
      ...(input.resource ? { resource: input.resource } : {}),
      context: serverContext(input),
      explain: input.explain ?? false,
    });
  }

  const api: AuthorizationApi = {
    listPermissions: () => catalog.listing(),

    // one promise and no awaits when the membership and the rules are cached (the hot path)
    async authorize(input) {
      assertKnownAction(input.action);
      if ('principal' in input) return decideForMachine(input);
      const pending = subjectAndAuthorizer(input.userId, input.tenantId);
      const found = pending instanceof Promise ? await pending : pending;
      return found ? decideWith(found, input) : NOT_MEMBER;
    },
    async requirePermission(input) {
      const result = await api.authorize(input as AuthorizeInput);
      // a tenant id tells an outsider nothing: not being a member reads as no such tenant
      if (result.reason.kind === 'not_member') throw new AuthError('not_found', { detail: 'no such tenant' });
      const decision = result as Decision;
      if (!decision.allowed) {
        // the 403 reaches the member it is about (the guards answer with it): unless the app asked
        // for the full story, it says only what that member may read, as POST /authorize does
        const shown =
          input.disclosure === 'full' ? decision : await api.authorize({ ...input, disclosure: 'caller' });
        throw new AuthError('forbidden', { detail: `not allowed: ${input.action}`, reason: shown.reason });
      }
      return decision;
    },
    async authorizeMany(input) {
      assertKnownAction(input.action);
      const found = await subjectAndAuthorizer(input.userId, input.tenantId);
      if (!found) return input.resources.map(() => NOT_MEMBER);
      return found.authorizer.decideMany(found.subject, input.action, input.resources, serverContext(input));
    },
    async authorizationFilter(input) {
      assertKnownAction(input.action);
      const found = await subjectAndAuthorizer(input.userId, input.tenantId);
      if (!found) return { kind: 'none' };
      return found.authorizer.authorizationFilter({
        subject: found.subject,
        action: input.action,
        resourceType: input.resourceType,
        context: serverContext(input),
      });
    },
  };

  return { api, decideForMember, decideForClient };
}

const POLICY_REASONS: ReadonlySet<string> = new Set(['policy', 'deny_policy', 'missing_attribute']);

function mentionsPolicies(decision: Decision): boolean {
  return (
    POLICY_REASONS.has(decision.reason.kind) ||
    (decision.explanation?.some((entry) => entry.rule.startsWith('policy:')) ?? false)
  );
}

/** The decision as a member who may not read policies sees it: that a policy decided, not which. */
function withoutPolicies(decision: Decision): Decision {
  const reason: DecisionReason = POLICY_REASONS.has(decision.reason.kind)
    ? { kind: 'undisclosed_policy', effect: decision.allowed ? 'allow' : 'deny' }
    : decision.reason;
  if (decision.explanation === undefined) return { allowed: decision.allowed, reason };
  return {
    allowed: decision.allowed,
    reason,
    explanation: decision.explanation.filter((entry) => entry.rule.startsWith('role:')),
  };
}

const OUTSIDE_GRANTS: Decision = Object.freeze({
  allowed: false,
  reason: Object.freeze({ kind: 'outside_grants' as const }),
});

const KEY_CONSTRAINT_UNMET: Decision = Object.freeze({
  allowed: false,
  reason: Object.freeze({ kind: 'key_constraint' as const }),
});

const OWNER_NOT_ALLOWED: Decision = Object.freeze({
  allowed: false,
  reason: Object.freeze({ kind: 'owner_not_allowed' as const }),
});

const EMPTY = (tenantId: string) => ({ tenantId, roles: [], policies: [] });

const SUSPENDED: Decision = Object.freeze({
  allowed: false,
  reason: Object.freeze({ kind: 'tenant_suspended' as const }),
});

/** The authorizer of a tenant that is not active: every decision is a deny, every filter none. */
function suspendedAuthorizer(tenantId: string): Authorizer {
  return {
    tenantId,
    decide: () => SUSPENDED,
    decideMany: (_subject, _action, resources) => resources.map(() => SUSPENDED),
    authorizationFilter: () => ({ kind: 'none' }),
  };
}
