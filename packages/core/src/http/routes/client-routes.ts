import { z } from 'zod';
import { createClientInputSchema, rotateClientSecretInputSchema } from '../../clients/client-schemas.js';
import type { ClientSummary } from '../../clients/clients.js';
import { pageQuerySchema } from '../../tenants/tenant-schemas.js';
import { component } from '../openapi-components.js';
import { pageOf, problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const tenantParams = z.object({ tenantId: z.string().min(1).max(64) });
const clientParams = tenantParams.extend({ id: z.string().min(1).max(64) });

const clientSchema = component(
  'Client',
  z.object({
    id: z.string().describe('The client_id'),
    tenantId: z.string(),
    environment: z.string(),
    name: z.string(),
    authMethod: z.enum(['client_secret', 'private_key_jwt']),
    allowedScopes: z.array(z.string()),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
    status: z.enum(['active', 'deleted']),
    secretCreatedAt: z.string().nullable(),
    secretLastUsedAt: z.string().nullable(),
    previousSecret: z
      .object({ expiresAt: z.string(), lastUsedAt: z.string().nullable() })
      .nullable()
      .describe('A rotated-out secret still accepted, and its last use'),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastUsedAt: z.string().nullable(),
  }),
);

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** Never a secret or its hash. */
function toPublicClient(client: ClientSummary) {
  return {
    id: client.id,
    tenantId: client.tenantId,
    environment: client.environment,
    name: client.name,
    authMethod: client.authMethod,
    allowedScopes: client.allowedScopes,
    jwks: client.jwks === null ? null : { keys: client.jwks },
    status: client.status,
    secretCreatedAt: iso(client.secretCreatedAt),
    secretLastUsedAt: iso(client.secretLastUsedAt),
    previousSecret: client.previousSecret && {
      expiresAt: client.previousSecret.expiresAt.toISOString(),
      lastUsedAt: iso(client.previousSecret.lastUsedAt),
    },
    createdBy: client.createdBy,
    createdAt: client.createdAt.toISOString(),
    updatedAt: client.updatedAt.toISOString(),
    lastUsedAt: iso(client.lastUsedAt),
  };
}

const withSecret = clientSchema.extend({
  secret: z.string().nullable().describe('Shown this once; null for a private_key_jwt client'),
});

export const clientRoutes = [
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/clients',
    operationId: 'createClient',
    summary: 'Register an M2M client in an environment (needs client.manage); the secret is shown once',
    tag: 'machines',
    auth: 'session',
    params: tenantParams,
    body: createClientInputSchema,
    responses: {
      201: { description: 'Created', schema: withSecret },
      403: problem('Missing client.manage'),
      404: problem('Not found or not a member'),
      422: problem('unknown_scope: a scope not in clients.scopes'),
    },
    async handle({ api, auth, params, body, call }) {
      const created = await api.createClient(params.tenantId, auth.user.id, body, call);
      return { status: 201, body: { ...toPublicClient(created.client), secret: created.secret } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/clients',
    operationId: 'listClients',
    summary: "The tenant's M2M clients (needs client.manage)",
    tag: 'machines',
    auth: 'session',
    params: tenantParams,
    query: pageQuerySchema,
    responses: {
      200: { description: 'A page of clients', schema: pageOf(clientSchema) },
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, query, call }) {
      const page = await api.listClients(params.tenantId, auth.user.id, query, call);
      return { status: 200, body: { items: page.items.map(toPublicClient), nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/clients/:id/rotate-secret',
    operationId: 'rotateClientSecret',
    summary: 'Give a client a new secret; the old one stays valid for the overlap (needs client.manage)',
    tag: 'machines',
    auth: 'session',
    params: clientParams,
    body: rotateClientSecretInputSchema,
    responses: {
      200: { description: 'The client and its new secret (shown once)', schema: withSecret },
      404: problem('No such client'),
      409: problem('A concurrent rotation won'),
    },
    async handle({ api, auth, params, body, call }) {
      const rotated = await api.rotateClientSecret(params.tenantId, auth.user.id, params.id, body, call);
      return { status: 200, body: { ...toPublicClient(rotated.client), secret: rotated.secret } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/tenants/:tenantId/clients/:id',
    operationId: 'deleteClient',
    summary: 'Delete a client: it gets no more tokens (needs client.manage)',
    tag: 'machines',
    auth: 'session',
    params: clientParams,
    responses: { 204: { description: 'Deleted' }, 404: problem('No such client') },
    async handle({ api, auth, params, call }) {
      await api.deleteClient(params.tenantId, auth.user.id, params.id, call);
      return { status: 204 };
    },
  }),
];
