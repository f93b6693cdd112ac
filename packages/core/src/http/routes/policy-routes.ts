import { z } from 'zod';
import { policyInputSchema } from '../../authorization/policy-schema.js';
import type { StoredPolicy } from '../../authorization/policy-store.js';
import { component } from '../openapi-components.js';
import { problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const tenantParams = z.object({ tenantId: z.string().min(1).max(64) });
const policyParams = tenantParams.extend({ policyId: z.string().min(1).max(64) });

const policySchema = component(
  'Policy',
  z.object({
    id: z.string(),
    tenantId: z.string(),
    effect: z.enum(['allow', 'deny']),
    actions: z.array(z.string()),
    resource: z.string(),
    condition: z
      .unknown()
      .optional()
      .meta({ description: 'The condition as written: { and | or | not | <operator>: … } (DESIGN §5)' }),
    description: z.string().optional(),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const toPublicPolicy = (policy: StoredPolicy) => ({
  ...policy,
  createdAt: policy.createdAt.toISOString(),
  updatedAt: policy.updatedAt.toISOString(),
});

const writeProblems = {
  403: problem('Missing policy.manage, or an allow policy for actions you do not hold'),
  404: problem('Not found or not a member'),
  422: problem('invalid_policy (issues name each problem and its path) or unknown_permission'),
};

export const policyRoutes = [
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/policies',
    operationId: 'listPolicies',
    summary: "The tenant's ABAC policies (needs policy.manage)",
    tag: 'authorization',
    auth: 'session',
    params: tenantParams,
    responses: {
      200: { description: 'Policies, oldest first', schema: z.object({ items: z.array(policySchema) }) },
      403: problem('Missing policy.manage'),
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, call }) {
      const policies = await api.listPolicies(params.tenantId, auth.user.id, call);
      return { status: 200, body: { items: policies.map(toPublicPolicy) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/policies',
    operationId: 'createPolicy',
    summary:
      "Create a policy (needs policy.manage; allow only for actions you hold; bumps the tenant's authorization version)",
    tag: 'authorization',
    auth: 'session',
    params: tenantParams,
    body: policyInputSchema,
    invalidBodyCode: 'invalid_policy',
    responses: {
      201: { description: 'Created', schema: policySchema },
      ...writeProblems,
      409: problem('policy_limit_reached: the tenant holds the maximum number of policies'),
    },
    async handle({ api, auth, params, body, call }) {
      return {
        status: 201,
        body: toPublicPolicy(await api.createPolicy(params.tenantId, auth.user.id, body, call)),
      };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/tenants/:tenantId/policies/:policyId',
    operationId: 'replacePolicy',
    summary:
      "Replace a policy entirely (an omitted condition is removed); bumps its version and the tenant's",
    tag: 'authorization',
    auth: 'session',
    params: policyParams,
    body: policyInputSchema,
    invalidBodyCode: 'invalid_policy',
    responses: {
      200: { description: 'Replaced', schema: policySchema },
      ...writeProblems,
      404: problem('No such policy in this tenant, or not a member'),
    },
    async handle({ api, auth, params, body, call }) {
      const policy = await api.replacePolicy(params.tenantId, auth.user.id, params.policyId, body, call);
      return { status: 200, body: toPublicPolicy(policy) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/tenants/:tenantId/policies/:policyId',
    operationId: 'deletePolicy',
    summary: 'Delete a policy (needs policy.manage)',
    tag: 'authorization',
    auth: 'session',
    params: policyParams,
    responses: {
      204: { description: 'Deleted' },
      403: problem('Missing policy.manage'),
      404: problem('No such policy in this tenant, or not a member'),
    },
    async handle({ api, auth, params, call }) {
      await api.deletePolicy(params.tenantId, auth.user.id, params.policyId, call);
      return { status: 204 };
    },
  }),
];
