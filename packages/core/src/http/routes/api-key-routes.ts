import { z } from 'zod';
import { createApiKeyInputSchema, rotateApiKeyInputSchema } from '../../api-keys/api-key-schemas.js';
import type { ApiKeySummary } from '../../api-keys/api-keys.js';
import { pageQuerySchema } from '../../tenants/tenant-schemas.js';
import { component } from '../openapi-components.js';
import { pageOf, problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const tenantParams = z.object({ tenantId: z.string().min(1).max(64) });
const apiKeyParams = tenantParams.extend({ id: z.string().min(1).max(64) });

const apiKeySchema = component(
  'ApiKey',
  z.object({
    id: z.string(),
    tenantId: z.string(),
    environment: z.string(),
    ownerUserId: z.string().nullable().describe('The owning user; null when the tenant owns it'),
    name: z.string(),
    start: z.string().describe('The first characters of the key, e.g. pc_live_Ab3d'),
    lastFour: z.string().describe('The last four characters of the key'),
    permissions: z.array(z.string()),
    constraints: z
      .unknown()
      .nullable()
      .meta({ description: 'The condition every use must meet, as written' }),
    expiresAt: z.string().nullable(),
    state: z
      .enum(['active', 'overlapping', 'expired', 'revoked'])
      .describe('overlapping: rotated, working until overlapEndsAt'),
    predecessorId: z.string().nullable(),
    successorId: z.string().nullable(),
    overlapEndsAt: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().describe('Written about once a minute'),
    rateLimitPolicies: z
      .array(z.string())
      .nullable()
      .describe(
        'The named rate-limit policies counting it; null: every policy covering apiKey (set by the operator, server-side)',
      ),
    credits: z
      .object({
        remaining: z.number().int().describe('The last known count (the database holds the truth)'),
        refill: z.object({ amount: z.number().int(), interval: z.enum(['day', 'week', 'month']) }).optional(),
      })
      .nullable()
      .describe('Its credit quota, set by the operator (server-side); null: none'),
    leakReportedAt: z
      .string()
      .nullable()
      .describe('When a secret scanner reported the key leaked (revoked, or flagged with onLeak: flag)'),
  }),
);

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** Never a key or its hash. */
function toPublicApiKey(key: ApiKeySummary) {
  return {
    id: key.id,
    tenantId: key.tenantId,
    environment: key.environment,
    ownerUserId: key.ownerUserId,
    name: key.name,
    start: key.start,
    lastFour: key.lastFour,
    permissions: key.permissions,
    constraints: key.constraints,
    expiresAt: iso(key.expiresAt),
    state: key.state,
    predecessorId: key.predecessorId,
    successorId: key.successorId,
    overlapEndsAt: iso(key.overlapEndsAt),
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    rateLimitPolicies: key.rateLimitPolicies,
    credits: key.credits,
    leakReportedAt: iso(key.leakReportedAt),
  };
}

const withKey = apiKeySchema.extend({ key: z.string().describe('The key itself: shown this once') });

export const apiKeyRoutes = [
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key in an environment (needs api_key.manage); the key is shown once',
    tag: 'machines',
    auth: 'session',
    params: tenantParams,
    body: createApiKeyInputSchema,
    responses: {
      201: { description: 'Created', schema: withKey },
      403: problem('Missing api_key.manage, or permissions beyond your own'),
      404: problem('Not found or not a member'),
      422: problem('unknown_permission: a permission not in the catalog'),
    },
    async handle({ api, auth, params, body, call }) {
      const created = await api.createApiKey(params.tenantId, auth.user.id, body, call);
      return { status: 201, body: { ...toPublicApiKey(created.apiKey), key: created.key } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/api-keys',
    operationId: 'listApiKeys',
    summary: "The tenant's API keys that are not revoked, with their last use (needs api_key.manage)",
    tag: 'machines',
    auth: 'session',
    params: tenantParams,
    query: pageQuerySchema,
    responses: {
      200: { description: 'A page of API keys', schema: pageOf(apiKeySchema) },
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, query, call }) {
      const page = await api.listApiKeys(params.tenantId, auth.user.id, query, call);
      return { status: 200, body: { items: page.items.map(toPublicApiKey), nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/api-keys/:id/rotate',
    operationId: 'rotateApiKey',
    summary: 'Replace an API key; the old one keeps working for the overlap (needs api_key.manage)',
    tag: 'machines',
    auth: 'session',
    params: apiKeyParams,
    body: rotateApiKeyInputSchema,
    responses: {
      200: {
        description: 'The successor with its key (shown once), and the key it replaced',
        schema: withKey.extend({ previous: apiKeySchema }),
      },
      404: problem('No such API key'),
      409: problem('Rotated already (or by a concurrent rotation), or expired'),
    },
    async handle({ api, auth, params, body, call }) {
      const rotated = await api.rotateApiKey(params.tenantId, auth.user.id, params.id, body, call);
      return {
        status: 200,
        body: {
          ...toPublicApiKey(rotated.apiKey),
          key: rotated.key,
          previous: toPublicApiKey(rotated.previous),
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/api-keys/:id/revoke',
    operationId: 'revokeApiKey',
    summary: "Revoke an API key at once, or end a rotated-out key's overlap now (needs api_key.manage)",
    tag: 'machines',
    auth: 'session',
    params: apiKeyParams,
    responses: { 204: { description: 'Revoked' }, 404: problem('No such API key') },
    async handle({ api, auth, params, call }) {
      await api.revokeApiKey(params.tenantId, auth.user.id, params.id, call);
      return { status: 204 };
    },
  }),
];
