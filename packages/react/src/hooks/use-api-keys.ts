import type {
  ApiKey,
  CreateApiKeyBody,
  CreateApiKeyResponse,
  RotateApiKeyBody,
  RotateApiKeyResponse,
} from '@portcullis/client';
import { useCallback, useMemo } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import { type PagedResult, usePagedResource } from './use-resource.js';
import { useTenantId } from './use-tenant.js';

/**
 * A tenant's API keys (default: the active tenant): the list with last use, and creating,
 * rotating and revoking. A created or rotated key's secret is in the answer only: show it once.
 */
export function useApiKeys(
  tenantId?: string,
  options: { limit?: number } = {},
): PagedResult<ApiKey> & {
  tenantId: string | null;
  create(body: CreateApiKeyBody): Promise<CreateApiKeyResponse>;
  rotate(apiKeyId: string, body?: RotateApiKeyBody): Promise<RotateApiKeyResponse>;
  revoke(apiKeyId: string): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const id = useTenantId(tenantId);
  const limit = options.limit ?? 50;
  const fetchPage = useCallback(
    (cursor: string | undefined) =>
      client.tenants.apiKeys.list(id as string, { limit, ...(cursor ? { cursor } : {}) }),
    [client, id, limit],
  );
  const pages = usePagedResource(id ? `apiKeys:${id}:${limit}` : null, fetchPage);
  const actions = useMemo(
    () => ({
      async create(body: CreateApiKeyBody) {
        const created = await client.tenants.apiKeys.create(id as string, body);
        await cache.invalidate(`apiKeys:${id}`);
        return created;
      },
      async rotate(apiKeyId: string, body?: RotateApiKeyBody) {
        const rotated = await client.tenants.apiKeys.rotate(id as string, apiKeyId, body);
        await cache.invalidate(`apiKeys:${id}`);
        return rotated;
      },
      async revoke(apiKeyId: string) {
        await client.tenants.apiKeys.revoke(id as string, apiKeyId);
        await cache.invalidate(`apiKeys:${id}`);
      },
    }),
    [client, cache, id],
  );
  return { ...pages, ...actions, tenantId: id };
}
