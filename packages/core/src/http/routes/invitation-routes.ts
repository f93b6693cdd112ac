import { z } from 'zod';
import {
  acceptInvitationInputSchema,
  createInvitationInputSchema,
} from '../../invitations/invitation-schemas.js';
import type { InvitationPreview, InvitationSummary } from '../../invitations/invitations.js';
import { pageQuerySchema } from '../../tenants/tenant-schemas.js';
import { component } from '../openapi-components.js';
import { membershipSchema, pageOf, problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';
import { toPublicMembership } from './member-routes.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const tenantParams = z.object({ tenantId: z.string().min(1).max(64) });
const invitationParams = tenantParams.extend({ id: z.string().min(1).max(64) });

const invitationSchema = component(
  'Invitation',
  z.object({
    id: z.string(),
    tenantId: z.string(),
    email: z.string().nullable(),
    roles: z.array(z.string()),
    maxUses: z.number(),
    uses: z.number(),
    status: z.enum(['pending', 'revoked', 'exhausted']).describe('Expiry is not a status: compare expiresAt'),
    expiresAt: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

/** Never the token or its hash. */
function toPublicInvitation(invitation: InvitationSummary) {
  return {
    id: invitation.id,
    tenantId: invitation.tenantId,
    email: invitation.email,
    roles: invitation.roles,
    maxUses: invitation.maxUses,
    uses: invitation.uses,
    status: invitation.status,
    expiresAt: invitation.expiresAt.toISOString(),
    createdBy: invitation.createdBy,
    createdAt: invitation.createdAt.toISOString(),
    updatedAt: invitation.updatedAt.toISOString(),
  };
}

const invitationPreviewSchema = component(
  'InvitationPreview',
  z.object({
    tenant: z.object({
      id: z.string(),
      name: z.string(),
      slug: z.string(),
      userPool: z
        .enum(['shared', 'isolated'])
        .describe('isolated: join by POST /signup with invitationToken, not by POST /invitations/accept'),
    }),
    inviter: z
      .object({ name: z.string().nullable(), email: z.string() })
      .nullable()
      .describe('Null when the system created it'),
    roles: z.array(z.string()),
    email: z.string().nullable().describe('The address it is bound to; null for an open link'),
    expiresAt: z.string(),
  }),
);

function toPublicInvitationPreview(preview: InvitationPreview) {
  return { ...preview, expiresAt: preview.expiresAt.toISOString() };
}

export const invitationRoutes = [
  defineRoute({
    method: 'POST',
    path: '/tenants/:tenantId/invitations',
    operationId: 'createInvitation',
    summary:
      'Invite an email address or create an open link (needs invitation.manage); the token is shown once',
    tag: 'tenants',
    auth: 'session',
    params: tenantParams,
    body: createInvitationInputSchema,
    responses: {
      201: { description: 'Created', schema: invitationSchema.extend({ token: z.string() }) },
      403: problem('Missing invitation.manage, or a role beyond your permissions'),
      404: problem('Not found or not a member'),
      422: problem('unknown_role: a role the tenant does not have'),
    },
    async handle({ api, auth, params, body, call }) {
      const created = await api.createInvitation(params.tenantId, auth.user.id, body, call);
      return {
        status: 201,
        body: { ...toPublicInvitation(created.invitation), token: created.token },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/invitations',
    operationId: 'listInvitations',
    summary: "The tenant's invitations, every status (needs invitation.manage)",
    tag: 'tenants',
    auth: 'session',
    params: tenantParams,
    query: pageQuerySchema,
    responses: {
      200: { description: 'A page of invitations', schema: pageOf(invitationSchema) },
      404: problem('Not found or not a member'),
    },
    async handle({ api, auth, params, query, call }) {
      const page = await api.listInvitations(params.tenantId, auth.user.id, query, call);
      return {
        status: 200,
        body: { items: page.items.map(toPublicInvitation), nextCursor: page.nextCursor },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/tenants/:tenantId/invitations/:id',
    operationId: 'revokeInvitation',
    summary: 'Revoke a pending invitation (needs invitation.manage)',
    tag: 'tenants',
    auth: 'session',
    params: invitationParams,
    responses: { 204: { description: 'Revoked' }, 404: problem('No such pending invitation') },
    async handle({ api, auth, params, call }) {
      await api.revokeInvitation(params.tenantId, auth.user.id, params.id, call);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/invitations/accept',
    operationId: 'acceptInvitation',
    summary: 'Accept an invitation as the signed-in user (to sign up with one, use POST /signup)',
    tag: 'tenants',
    auth: 'session',
    rateLimited: true,
    body: acceptInvitationInputSchema,
    responses: {
      201: { description: 'The new membership', schema: membershipSchema },
      400: problem('invitation_invalid: unknown token'),
      403: problem(
        'invitation_email_mismatch, email_not_verified (an email invitation needs a verified address), or a user of an isolated pool',
      ),
      409: problem('already_member, or invitation_requires_signup (isolated-pool tenant)'),
      410: problem('invitation_expired, invitation_used_up or invitation_revoked'),
    },
    async handle({ api, auth, body, call }) {
      const membership = await api.acceptInvitation(auth.user.id, body.token, call);
      return { status: 201, body: toPublicMembership(membership) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/invitations/preview',
    operationId: 'previewInvitation',
    summary:
      'What an invitation offers (tenant, inviter, roles, bound email), before signing up or in; uses nothing',
    tag: 'tenants',
    auth: 'none',
    rateLimited: true,
    body: acceptInvitationInputSchema,
    responses: {
      200: { description: 'The invitation as its holder may see it', schema: invitationPreviewSchema },
      400: problem('invitation_invalid: unknown token'),
      403: problem('tenant_suspended'),
      410: problem('invitation_expired, invitation_used_up or invitation_revoked'),
    },
    async handle({ api, body, call }) {
      const preview = await api.previewInvitation(body.token, call);
      return { status: 200, body: toPublicInvitationPreview(preview) };
    },
  }),
];
