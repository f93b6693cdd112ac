import { z } from 'zod';
import { defineRoute } from '../route.js';

const catalogSchema = z.object({
  enforced: z
    .boolean()
    .meta({ description: 'True when the app configured a catalog and permissions outside it are refused' }),
  resources: z.array(z.object({ resource: z.string(), actions: z.array(z.string()) })),
});

/**
 * The permission catalog, for admin UIs that render role and policy editors. One per install
 * (it comes from config), so it lives outside `/tenants/:tenantId`: no membership to check and
 * nothing tenant-specific to reveal; a session is still required.
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
];
