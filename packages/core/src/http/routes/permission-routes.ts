import { z } from 'zod';
import {
  type AuthorizationResult,
  checkPermissionsInputSchema,
} from '../../authorization/authorization-service.js';
import type { AuthorizationResource } from '../../authorization/index.js';
import { AuthError, isAuthError } from '../../errors.js';
import { problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const tenantParams = z.object({ tenantId: z.string().min(1).max(64) });

const catalogSchema = z.object({
  enforced: z
    .boolean()
    .meta({ description: 'True when the app configured a catalog and permissions outside it are refused' }),
  resources: z.array(z.object({ resource: z.string(), actions: z.array(z.string()) })),
});

const checkResultsSchema = z.object({
  results: z
    .array(z.object({ allowed: z.boolean() }))
    .describe('One per check, in order; no reason: a UI hint, the server still decides each request'),
});

/** The checks of one request, grouped so that each action is decided once (with its resources). */
interface ActionChecks {
  /** Indexes of the checks without a resource: one decision answers them all. */
  bare: number[];
  /** Indexes and resources of the checks with one, decided together by `authorizeMany`. */
  withResource: Array<{ index: number; resource: AuthorizationResource }>;
}

function groupByAction(checks: ReadonlyArray<{ action: string; resource?: AuthorizationResource }>) {
  const groups = new Map<string, ActionChecks>();
  checks.forEach((check, index) => {
    let group = groups.get(check.action);
    if (!group) groups.set(check.action, (group = { bare: [], withResource: [] }));
    if (check.resource) group.withResource.push({ index, resource: check.resource });
    else group.bare.push(index);
  });
  return groups;
}

/**
 * Permissions for UIs. The catalog, for admin UIs that render role and policy editors: one per
 * install (it comes from config), so it lives outside `/tenants/:tenantId`, with no membership to
 * check and nothing tenant-specific to reveal (a session is still required). And the batch check
 * that a page's permission gates share, so that ten gates cost one request.
 */
export const permissionRoutes = [
  defineRoute({
    method: 'GET',
    path: '/permissions',
    operationId: 'listPermissions',
    summary: 'The permission catalog: every resource and its actions (built-in tenant permissions included)',
    tag: 'authorization',
    auth: 'session',
    responses: { 200: { description: 'The catalog', schema: catalogSchema } },
    async handle({ api }) {
      return { status: 200, body: api.listPermissions() };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/permissions/check',
    operationId: 'checkPermissions',
    summary:
      'May I, for many gates at once? Up to 50 actions (on resources) decided for the signed-in member, in order',
    tag: 'authorization',
    auth: 'session',
    params: tenantParams,
    body: checkPermissionsInputSchema,
    responses: {
      200: { description: 'The decisions, in the order of the checks', schema: checkResultsSchema },
      404: problem('Not found or not a member'),
      422: problem(
        'unknown_permission: an action outside the configured permission catalog (issues name the checks)',
      ),
    },
    async handle({ api, auth, params, body, call }) {
      const asked = {
        userId: auth.user.id,
        tenantId: params.tenantId,
        session: auth.session,
        ip: call.ip ?? null,
      };
      const results = new Array<{ allowed: boolean }>(body.checks.length);
      const answer = (index: number, decision: AuthorizationResult) => {
        // not a member: the same 404 as /authorize, and nothing told
        if (decision.reason.kind === 'not_member')
          throw new AuthError('not_found', { detail: 'no such tenant' });
        results[index] = { allowed: decision.allowed };
      };
      // one action after another on purpose: the first decision reads the membership and the
      // tenant's rules into the authorization cache, and every later one is answered from it
      for (const [action, group] of groupByAction(body.checks)) {
        try {
          if (group.bare.length > 0) {
            const decision = await api.authorize({ ...asked, action });
            for (const index of group.bare) answer(index, decision);
          }
          if (group.withResource.length > 0) {
            const resources = group.withResource.map((check) => check.resource);
            const decisions = await api.authorizeMany({ ...asked, action, resources });
            for (const [i, check] of group.withResource.entries()) answer(check.index, decisions[i]!);
          }
        } catch (error) {
          if (!isAuthError(error, 'unknown_permission')) throw error;
          // a typo in one of the app's gates fails loudly, as on /authorize, naming its checks
          const indexes = [...group.bare, ...group.withResource.map((check) => check.index)];
          throw new AuthError('unknown_permission', {
            ...(error.detail ? { detail: error.detail } : {}),
            issues: indexes
              .sort((a, b) => a - b)
              .map((index) => ({
                path: `checks.${index}.action`,
                message: error.issues?.[0]?.message ?? 'outside the permission catalog',
              })),
            cause: error,
          });
        }
      }
      return { status: 200, body: { results } };
    },
  }),
];
