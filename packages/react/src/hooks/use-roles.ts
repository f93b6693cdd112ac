import type {
  CreatePolicyBody,
  CreateRoleBody,
  ListPermissionsResponse,
  Policy,
  ReplacePolicyBody,
  Role,
  UpdateRoleBody,
} from '@portcullis/client';
import { useMemo } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import { type ResourceResult, useResource } from './use-resource.js';
import { useTenantId } from './use-tenant.js';

/** A tenant's roles (default: the active tenant): the built-in ones and custom ones, and editing them. */
export function useRoles(tenantId?: string): Omit<ResourceResult<Role[]>, 'data'> & {
  roles: Role[];
  tenantId: string | null;
  create(body: CreateRoleBody): Promise<Role>;
  update(roleId: string, body: UpdateRoleBody): Promise<Role>;
  remove(roleId: string): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const id = useTenantId(tenantId);
  const result = useResource(
    id ? `roles:${id}` : null,
    async () => (await client.tenants.roles.list(id as string)).items,
  );
  const actions = useMemo(() => {
    // a role's permissions decide the gates (a role members hold cannot be deleted: the member
    // list never changes with it)
    const changed = () => Promise.all([cache.invalidate(`roles:${id}`), cache.invalidate(`perm:${id}`)]);
    return {
      async create(body: CreateRoleBody) {
        const role = await client.tenants.roles.create(id as string, body);
        await changed();
        return role;
      },
      async update(roleId: string, body: UpdateRoleBody) {
        const role = await client.tenants.roles.update(id as string, roleId, body);
        await changed();
        return role;
      },
      async remove(roleId: string) {
        await client.tenants.roles.delete(id as string, roleId);
        await changed();
      },
    };
  }, [client, cache, id]);
  const { data, ...rest } = result;
  return { ...rest, roles: data ?? [], tenantId: id, ...actions };
}

/** A tenant's ABAC policies (default: the active tenant), and writing them. */
export function usePolicies(tenantId?: string): Omit<ResourceResult<Policy[]>, 'data'> & {
  policies: Policy[];
  tenantId: string | null;
  create(body: CreatePolicyBody): Promise<unknown>;
  replace(policyId: string, body: ReplacePolicyBody): Promise<unknown>;
  remove(policyId: string): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const id = useTenantId(tenantId);
  const result = useResource(
    id ? `policies:${id}` : null,
    async () => (await client.tenants.policies.list(id as string)).items,
  );
  const actions = useMemo(() => {
    const changed = () => Promise.all([cache.invalidate(`policies:${id}`), cache.invalidate(`perm:${id}`)]);
    return {
      async create(body: CreatePolicyBody) {
        const policy = await client.tenants.policies.create(id as string, body);
        await changed();
        return policy;
      },
      async replace(policyId: string, body: ReplacePolicyBody) {
        const policy = await client.tenants.policies.replace(id as string, policyId, body);
        await changed();
        return policy;
      },
      async remove(policyId: string) {
        await client.tenants.policies.delete(id as string, policyId);
        await changed();
      },
    };
  }, [client, cache, id]);
  const { data, ...rest } = result;
  return { ...rest, policies: data ?? [], tenantId: id, ...actions };
}

/** The permission catalog (`GET /permissions`): what a role or key can be given, by resource. */
export function usePermissionCatalog(): ResourceResult<ListPermissionsResponse> {
  const { client } = usePortcullis();
  return useResource('permissions', () => client.permissions.list());
}
