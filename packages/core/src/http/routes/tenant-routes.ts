import { z } from 'zod';
import { authorizeInputSchema } from '../../authorization/authorization-service.js';
import { AuthError } from '../../errors.js';
import {
  createTenantInputSchema,
  pageQuerySchema,
  updateTenantInputSchema,
} from '../../tenants/tenant-schemas.js';
import {
  memberSchema,
  pageOf,
  problemSchema,
  tenantSchema,
  tenantWithRolesSchema,
  toPublicMember,
  toPublicTenant,
  toPublicTenantWithRoles,
} from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const tenantParams = z.object({ tenantId: z.string().min(1).max(64) });

const decisionSchema = z.object({
  allowed: z.boolean(),
  reason: z.object({
    kind: z.string(),
    id: z.string().optional(),
    key: z.string().optional(),
    effect: z.enum(['allow', 'deny']).optional(),
    description: z.string().optional().describe("the deciding policy's description"),
  }),
  explanation: z
    .array(
      z.object({
        rule: z.string(),
        effect: z.string(),
        matched: z.boolean(),
        why: z.string(),
        description: z.string().optional(),
      }),
    )
    .optional()
    .describe('with explain: policies are listed only to members who may read them (policy.manage)'),
});

export const tenantRoutes = [
  defineRoute({
    method: 'POST',
    path: '/tenants',
    operationId: 'createTenant',
    summary: 'Create a tenant; the caller becomes its owner',
    tag: 'tenants',
    auth: 'session',
    rateLimited: true,
    body: createTenantInputSchema,
    responses: {
      201: { description: 'Created', schema: tenantSchema },
      409: problem('Slug taken'),
    },
    async handle({ api, auth, body, call }) {
      const tenant = await api.createTenant(auth.user.id, body, call);
      return { status: 201, body: toPublicTenant(tenant) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants',
    operationId: 'listTenants',
    summary: 'Tenants you are a member of, each with your roles there',
    tag: 'tenants',
    auth: 'session',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of tenants', schema: pageOf(tenantWithRolesSchema) } },
    async handle({ api, auth, query }) {
      const page = await api.listTenants(auth.user.id, query);
      return {
        status: 200,
        body: { items: page.items.map(toPublicTenantWithRoles), nextCursor: page.nextCursor },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId',
    operationId: 'getTenant',
    summary: 'A tenant you are a member of',
    tag: 'tenants',
    auth: 'session',
    params: tenantParams,
    responses: {
      200: { description: 'The tenant', schema: tenantSchema },
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, call }) {
      return { status: 200, body: toPublicTenant(await api.getTenant(params.tenantId, auth.user.id, call)) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/tenants/:tenantId',
    operationId: 'updateTenant',
    summary: 'Rename, suspend or re-describe a tenant (needs tenant.update)',
    tag: 'tenants',
    auth: 'session',
    params: tenantParams,
    body: updateTenantInputSchema,
    responses: {
      200: { description: 'Updated', schema: tenantSchema },
      403: problem('Missing tenant.update'),
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, body, call }) {
      const tenant = await api.updateTenant(params.tenantId, auth.user.id, body, call);
      return { status: 200, body: toPublicTenant(tenant) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/members',
    operationId: 'listMembers',
    summary: 'Members of a tenant (needs member.read)',
    tag: 'tenants',
    auth: 'session',
    params: tenantParams,
    query: pageQuerySchema,
    responses: {
      200: { description: 'A page of members', schema: pageOf(memberSchema) },
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, query, call }) {
      const page = await api.listMembers(params.tenantId, auth.user.id, query, call);
      return { status: 200, body: { items: page.items.map(toPublicMember), nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/authorize',
    operationId: 'authorize',
    summary: 'May I? Decides an action (on a resource) for the signed-in member, optionally explained',
    tag: 'authorization',
    auth: 'session',
    params: tenantParams,
    body: authorizeInputSchema,
    responses: {
      200: { description: 'The decision', schema: decisionSchema },
      404: problem('Not found or not a member'),
      422: problem('unknown_permission: the action is outside the configured permission catalog'),
    },
    async handle({ api, auth, params, body, call }) {
      const decision = await api.authorize({
        userId: auth.user.id,
        tenantId: params.tenantId,
        action: body.action,
        ...(body.resource ? { resource: body.resource as { type: string } } : {}),
        ...(body.context ? { context: body.context } : {}),
        explain: body.explain ?? false,
        session: auth.session,
        ip: call.ip ?? null,
        // the member asks about themselves: policies only if they may read them
        disclosure: 'caller',
      });
      if (decision.reason.kind === 'not_member')
        throw new AuthError('not_found', { detail: 'no such tenant' });
      return { status: 200, body: decision };
    },
  }),
];
