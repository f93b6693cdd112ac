import { z } from 'zod';
import { createRoleInputSchema, updateRoleInputSchema } from '../../authorization/role-service.js';
import type { Role } from '../../authorization/roles.js';
import { component } from '../openapi-components.js';
import { problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const tenantParams = z.object({ tenantId: z.string().min(1).max(64) });
const roleParams = tenantParams.extend({ roleId: z.string().min(1).max(64) });

const roleSchema = component(
  'Role',
  z.object({
    id: z.string(),
    tenantId: z.string(),
    key: z.string(),
    name: z.string(),
    permissions: z.array(z.string()),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const toPublicRole = (role: Role) => ({
  ...role,
  createdAt: role.createdAt.toISOString(),
  updatedAt: role.updatedAt.toISOString(),
});

export const roleRoutes = [
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/roles',
    operationId: 'listRoles',
    summary: "The tenant's roles (needs member.read)",
    tag: 'authorization',
    auth: 'session',
    params: tenantParams,
    responses: {
      200: { description: 'Roles', schema: z.object({ items: z.array(roleSchema) }) },
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, call }) {
      const roles = await api.listRoles(params.tenantId, auth.user.id, call);
      return { status: 200, body: { items: roles.map(toPublicRole) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/roles',
    operationId: 'createRole',
    summary: 'Create a custom role (needs role.manage; only permissions you hold)',
    tag: 'authorization',
    auth: 'session',
    params: tenantParams,
    body: createRoleInputSchema,
    responses: {
      201: { description: 'Created', schema: roleSchema },
      403: problem('Missing role.manage, or granting a permission you do not hold'),
      409: problem('Key taken'),
    },
    async handle({ api, auth, params, body, call }) {
      return {
        status: 201,
        body: toPublicRole(await api.createRole(params.tenantId, auth.user.id, body, call)),
      };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/tenants/:tenantId/roles/:roleId',
    operationId: 'updateRole',
    summary: "Rename a role or replace its permissions (bumps the tenant's authorization version)",
    tag: 'authorization',
    auth: 'session',
    params: roleParams,
    body: updateRoleInputSchema,
    responses: { 200: { description: 'Updated', schema: roleSchema }, 404: problem('No such role') },
    async handle({ api, auth, params, body, call }) {
      const role = await api.updateRole(params.tenantId, auth.user.id, params.roleId, body, call);
      return { status: 200, body: toPublicRole(role) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/tenants/:tenantId/roles/:roleId',
    operationId: 'deleteRole',
    summary: 'Delete a role no member holds',
    tag: 'authorization',
    auth: 'session',
    params: roleParams,
    responses: {
      204: { description: 'Deleted' },
      404: problem('No such role'),
      409: problem('Members hold it, or it is the creator role'),
    },
    async handle({ api, auth, params, call }) {
      await api.deleteRole(params.tenantId, auth.user.id, params.roleId, call);
      return { status: 204 };
    },
  }),
];
