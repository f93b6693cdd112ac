import { z } from 'zod';
import { updateMemberInputSchema } from '../../memberships/membership-schemas.js';
import type { Membership } from '../../memberships/memberships.js';
import { membershipSchema, problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const memberParams = z.object({ tenantId: z.string().min(1).max(64), userId: z.string().min(1).max(64) });

export const toPublicMembership = (membership: Membership) => ({
  id: membership.id,
  tenantId: membership.tenantId,
  userId: membership.userId,
  roles: membership.roles,
  attributes: membership.attributes,
  createdAt: membership.createdAt.toISOString(),
  updatedAt: membership.updatedAt.toISOString(),
});

export const memberRoutes = [
  defineRoute({
    method: 'PATCH',
    path: '/tenants/:tenantId/members/:userId',
    operationId: 'updateMember',
    summary: "Replace a member's roles and/or attributes (needs member.update; only roles you could grant)",
    tag: 'tenants',
    auth: 'session',
    params: memberParams,
    body: updateMemberInputSchema,
    responses: {
      200: { description: 'Updated', schema: membershipSchema },
      403: problem('Missing member.update, or a role or member beyond your permissions'),
      404: problem('No such tenant or member'),
      409: problem('last_owner: the last owner cannot be demoted'),
      422: problem('unknown_role: a role the tenant does not have'),
    },
    async handle({ api, auth, params, body, call }) {
      const membership = await api.updateMember(params.tenantId, auth.user.id, params.userId, body, call);
      return { status: 200, body: toPublicMembership(membership) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/tenants/:tenantId/members/:userId',
    operationId: 'removeMember',
    summary:
      'Remove a member (needs member.remove), or leave (your own user id); revokes their sessions in the tenant',
    tag: 'tenants',
    auth: 'session',
    params: memberParams,
    responses: {
      204: { description: 'Removed' },
      403: problem('Missing member.remove, or a member beyond your permissions'),
      404: problem('No such tenant or member'),
      409: problem('last_owner: the last owner cannot be removed'),
    },
    async handle({ api, auth, params, call }) {
      await api.removeMember(params.tenantId, auth.user.id, params.userId, call);
      return { status: 204 };
    },
  }),
];
