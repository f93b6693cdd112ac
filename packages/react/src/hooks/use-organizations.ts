import type {
  CreateInvitationBody,
  CreateInvitationResponse,
  CreateTenantBody,
  Invitation,
  Member,
  Membership,
  PortcullisClient,
  Tenant,
  UpdateMemberBody,
  UpdateTenantBody,
} from '@portcullis/client';
import { useCallback, useMemo } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import type { ResourceCache } from '../resource-cache.js';
import { type PagedResult, usePagedResource } from './use-resource.js';
import { useTenantId } from './use-tenant.js';

/**
 * The tenants the signed-in user belongs to, a page at a time; creating, renaming, and joining one
 * by accepting an invitation (each refreshes the list).
 */
export function useOrganizations(options: { limit?: number } = {}): PagedResult<Tenant> & {
  create(body: CreateTenantBody): Promise<Tenant>;
  update(tenantId: string, body: UpdateTenantBody): Promise<Tenant>;
  /** Accepts an invitation as the signed-in user; answers the new membership. */
  acceptInvitation(token: string): Promise<Membership>;
} {
  const { client, cache } = usePortcullis();
  const limit = options.limit ?? 50;
  const fetchPage = useCallback(
    (cursor: string | undefined) => client.tenants.list({ limit, ...(cursor ? { cursor } : {}) }),
    [client, limit],
  );
  const pages = usePagedResource(`tenants:${limit}`, fetchPage);
  const actions = useMemo(
    () => ({
      async create(body: CreateTenantBody) {
        const tenant = await client.tenants.create(body);
        await cache.invalidate('tenants:');
        return tenant;
      },
      async update(tenantId: string, body: UpdateTenantBody) {
        const tenant = await client.tenants.update(tenantId, body);
        cache.write(`tenant:${tenantId}`, () => tenant);
        // a suspended tenant allows nothing: every permission answer about it changes
        await Promise.all([
          cache.invalidate('tenants:'),
          body.status === undefined ? undefined : cache.invalidate(`perm:${tenantId}:`),
        ]);
        return tenant;
      },
      acceptInvitation: (token: string) => acceptInvitation(client, cache, token),
    }),
    [client, cache],
  );
  return { ...pages, ...actions };
}

/**
 * Accepts an invitation as the signed-in user, then reads again what joining changed: the user's
 * tenants, and that tenant's members and permission answers (cached "no" included). Shared by
 * {@link useOrganizations} and `AcceptInvitation`, which accepts without listing the tenants.
 */
export async function acceptInvitation(
  client: PortcullisClient,
  cache: ResourceCache,
  token: string,
): Promise<Membership> {
  const membership = await client.invitations.accept({ token });
  await Promise.all([
    cache.invalidate('tenants:'),
    cache.invalidate(`members:${membership.tenantId}`),
    cache.invalidate(`perm:${membership.tenantId}`),
  ]);
  return membership;
}

/** The members of a tenant (default: the active one), and changing their roles or removing them. */
export function useOrganizationMembers(
  tenantId?: string,
  options: { limit?: number } = {},
): PagedResult<Member> & {
  tenantId: string | null;
  update(userId: string, body: UpdateMemberBody): Promise<void>;
  /** Removes a member; your own user id leaves the tenant. */
  remove(userId: string): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const id = useTenantId(tenantId);
  const limit = options.limit ?? 50;
  const fetchPage = useCallback(
    (cursor: string | undefined) =>
      client.tenants.members.list(id as string, { limit, ...(cursor ? { cursor } : {}) }),
    [client, id, limit],
  );
  const pages = usePagedResource(id ? `members:${id}:${limit}` : null, fetchPage);
  const actions = useMemo(
    () => ({
      // the caller's own roles may have changed: the tenant list shows them, and the gates ask
      async update(userId: string, body: UpdateMemberBody) {
        await client.tenants.members.update(id as string, userId, body);
        await Promise.all([
          cache.invalidate(`members:${id}`),
          cache.invalidate(`perm:${id}`),
          cache.invalidate('tenants:'),
        ]);
      },
      async remove(userId: string) {
        await client.tenants.members.remove(id as string, userId);
        await Promise.all([
          cache.invalidate(`members:${id}`),
          cache.invalidate(`perm:${id}`),
          cache.invalidate('tenants:'),
        ]);
      },
    }),
    [client, cache, id],
  );
  return { ...pages, ...actions, tenantId: id };
}

/** A tenant's invitations (default: the active tenant), and inviting or revoking. */
export function useInvitations(
  tenantId?: string,
  options: { limit?: number } = {},
): PagedResult<Invitation> & {
  tenantId: string | null;
  /** Creates an invitation; the answer carries the link token once. */
  create(body: CreateInvitationBody): Promise<CreateInvitationResponse>;
  revoke(invitationId: string): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const id = useTenantId(tenantId);
  const limit = options.limit ?? 50;
  const fetchPage = useCallback(
    (cursor: string | undefined) =>
      client.tenants.invitations.list(id as string, { limit, ...(cursor ? { cursor } : {}) }),
    [client, id, limit],
  );
  const pages = usePagedResource(id ? `invitations:${id}:${limit}` : null, fetchPage);
  const actions = useMemo(
    () => ({
      async create(body: CreateInvitationBody) {
        const created = await client.tenants.invitations.create(id as string, body);
        await cache.invalidate(`invitations:${id}`);
        return created;
      },
      async revoke(invitationId: string) {
        await client.tenants.invitations.revoke(id as string, invitationId);
        await cache.invalidate(`invitations:${id}`);
      },
    }),
    [client, cache, id],
  );
  return { ...pages, ...actions, tenantId: id };
}
