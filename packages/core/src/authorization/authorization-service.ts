import { z } from 'zod';
import { AuthError } from '../errors.js';
import type { Membership } from '../memberships/memberships.js';
import type { ServiceDeps } from '../service-deps.js';
import type { Session } from '../sessions/sessions.js';
import { parseInput } from '../validation.js';
import type { AuthorizationCache } from './authorization-cache.js';
import type { AuthorizationFilter } from './authorization-filter.js';
import {
  type AuthorizationResource,
  type AuthorizationSubject,
  type Authorizer,
  createAuthorizer,
  type Decision,
} from './authorizer.js';
import type { PermissionCatalog } from './permission-catalog.js';
import type { PolicyDefinition } from './policy.js';
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
  session?: Session;
  /** The caller's address, for `context.ip`. */
  ip?: string | null;
}

/** Many resources, one subject, action and context. */
export interface AuthorizeManyInput extends Omit<AuthorizeInput, 'resource' | 'explain'> {
  resources: readonly AuthorizationResource[];
}

/** A decision, or `not_member` when the user has no membership in the tenant. */
export type AuthorizationResult =
  | Decision
  | { readonly allowed: false; readonly reason: { readonly kind: 'not_member' } };

export interface AuthorizationService {
  /**
   * Decides with the tenant's roles and policies (plus code-defined global ones) and the user's
   * membership. Compiled authorizers and memberships are cached (see `AuthorizationCache`): a
   * cached decision does no I/O. With a permission catalog configured, an action outside it
   * throws `unknown_permission` rather than answering a deny: it is a typo in the calling code,
   * which a silent deny would hide.
   */
  authorize(input: AuthorizeInput): Promise<AuthorizationResult>;
  /**
   * As {@link authorize}, returning the membership the decision used; null when the user is not
   * a member. The tenant routes check their built-in permissions (`member.update`, …) with it.
   */
  decideForMember(input: AuthorizeInput): Promise<{ membership: Membership; decision: Decision } | null>;
  /** {@link authorize} for many resources of one action at once: one decision per resource, in order. */
  authorizeMany(input: AuthorizeManyInput): Promise<AuthorizationResult[]>;
  /**
   * Which resources of a type the user may act on: `all`, `none` or a condition for SQL. An
   * action outside a configured catalog throws `unknown_permission`, as in `authorize`.
   */
  authorizationFilter(
    input: Omit<AuthorizeInput, 'resource' | 'explain'> & { resourceType: string },
  ): Promise<AuthorizationFilter>;
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

export function createAuthorizationService(
  deps: ServiceDeps,
  options: { globalPolicies: PolicyDefinition[]; cache: AuthorizationCache; catalog: PermissionCatalog },
): AuthorizationService {
  const { storage, clock } = deps;
  const { cache } = options;

  function authorizerFor(tenantId: string): Promise<Authorizer> {
    return cache.authorizer(
      tenantId,
      () => storage.authorizationVersions.getVersions(tenantId),
      async () => {
        const [roles, policies] = await Promise.all([
          storage.roles.listByTenant(tenantId),
          storage.policies.listByTenant(tenantId),
        ]);
        return createAuthorizer({ tenantId, roles, policies: [...options.globalPolicies, ...policies] });
      },
    );
  }

  async function subjectAndAuthorizer(userId: string, tenantId: string) {
    const membership = await cache.membership(tenantId, userId, () =>
      storage.memberships.find(tenantId, userId),
    );
    if (!membership) return null;
    const subject: AuthorizationSubject = {
      id: userId,
      tenantId,
      roles: membership.roles,
      attributes: membership.attributes,
    };
    return { membership, subject, authorizer: await authorizerFor(tenantId) };
  }

  function assertKnownAction(action: string) {
    const problem = options.catalog.findProblem(action);
    if (problem) {
      throw new AuthError('unknown_permission', {
        detail: `action: ${problem}`,
        issues: [{ path: 'action', message: problem }],
      });
    }
  }

  /** Facts the server knows; they override anything the caller put under the same names. */
  function serverContext(input: Pick<AuthorizeInput, 'context' | 'session' | 'ip'>) {
    const now = clock.now();
    const facts: Record<string, unknown> = {
      ...input.context,
      time: now.toISOString(),
      utcHour: now.getUTCHours(),
      utcWeekday: now.getUTCDay(),
    };
    if (input.ip !== undefined) facts.ip = input.ip;
    if (input.session) {
      facts.mfa = input.session.amr.length > 1;
      const times = Object.values(input.session.authTime);
      if (times.length > 0) facts.authAgeSeconds = Math.floor(now.getTime() / 1000) - Math.max(...times);
    }
    return facts;
  }

  async function decideForMember(input: AuthorizeInput) {
    assertKnownAction(input.action);
    const found = await subjectAndAuthorizer(input.userId, input.tenantId);
    if (!found) return null;
    const decision = found.authorizer.decide({
      subject: found.subject,
      action: input.action,
      ...(input.resource ? { resource: input.resource } : {}),
      context: serverContext(input),
      explain: input.explain ?? false,
    });
    return { membership: found.membership, decision };
  }

  return {
    async authorize(input) {
      return (await decideForMember(input))?.decision ?? NOT_MEMBER;
    },
    decideForMember,
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
}

/** Validates the HTTP body with the same schema the route declares. */
export function parseAuthorizeInput(body: unknown) {
  return parseInput(authorizeInputSchema, body);
}
