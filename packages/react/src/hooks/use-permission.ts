import { isPortcullisClientError, type PortcullisClient } from '@portcullis/client';
import { useMemo } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import { useResource } from './use-resource.js';
import { useTenantId } from './use-tenant.js';

/** A resource an action is checked against: its type, and the attributes policies read. */
export type PermissionResource = { type: string } & Record<string, unknown>;

/** One check of {@link usePermissions}. */
export interface PermissionCheck {
  action: string;
  resource?: PermissionResource;
}

/** What {@link usePermission} returns. */
export interface PermissionResult {
  /** `undefined` until the server answered. */
  allowed: boolean | undefined;
  isLoading: boolean;
  error: unknown;
}

/**
 * Whether the signed-in user may do `action` (on `resource`) in the active tenant (or `tenantId`),
 * asked of the server's authorization route. **A hint for the UI, not a guard:** the server
 * decides again on every request the UI makes. Checks rendered together are sent together, and
 * answers are cached until roles, members or policies change through these hooks.
 *
 * @example
 * const { allowed } = usePermission('invitation.manage');
 * return allowed ? <InviteMemberModal /> : null;
 */
export function usePermission(
  action: string,
  resource?: PermissionResource,
  options: { tenantId?: string } = {},
): PermissionResult {
  const { client } = usePortcullis();
  const tenantId = useTenantId(options.tenantId);
  const check = useMemo(() => ({ action, ...(resource ? { resource } : {}) }), [action, resource]);
  const key = tenantId ? permissionKey(tenantId, check) : null;
  const result = useResource(key, () => batcherFor(client).check(tenantId as string, check));
  return { allowed: result.data, isLoading: result.isLoading, error: result.error };
}

/** Several checks at once, answered in order (see {@link usePermission}). */
export function usePermissions(
  checks: readonly PermissionCheck[],
  options: { tenantId?: string } = {},
): { allowed: Array<boolean | undefined>; isLoading: boolean; error: unknown } {
  const { client } = usePortcullis();
  const tenantId = useTenantId(options.tenantId);
  const key = tenantId ? `perm:${tenantId}:all:${JSON.stringify(checks)}` : null;
  const result = useResource(key, () =>
    Promise.all(checks.map((check) => batcherFor(client).check(tenantId as string, check))),
  );
  return {
    allowed: result.data ?? checks.map(() => undefined),
    isLoading: result.isLoading,
    error: result.error,
  };
}

// `one:` and `all:` keep a single check apart from a list whatever an action is called
function permissionKey(tenantId: string, check: PermissionCheck): string {
  return `perm:${tenantId}:one:${JSON.stringify([check.action, check.resource ?? null])}`;
}

/**
 * Collects the checks asked in one tick, per tenant, into one request: a page of twenty gates
 * costs one round trip.
 */
class PermissionBatcher {
  readonly #client: PortcullisClient;
  readonly #pending = new Map<
    string,
    Array<{ check: PermissionCheck; resolve(allowed: boolean): void; reject(error: unknown): void }>
  >();

  constructor(client: PortcullisClient) {
    this.#client = client;
  }

  check(tenantId: string, check: PermissionCheck): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let queue = this.#pending.get(tenantId);
      if (!queue) {
        queue = [];
        this.#pending.set(tenantId, queue);
        queueMicrotask(() => this.#flush(tenantId));
      }
      queue.push({ check, resolve, reject });
    });
  }

  async #flush(tenantId: string) {
    const queue = this.#pending.get(tenantId) ?? [];
    this.#pending.delete(tenantId);
    try {
      const results = await checkMany(
        this.#client,
        tenantId,
        queue.map((item) => item.check),
      );
      for (const [index, item] of queue.entries()) {
        const result = results[index];
        if (result instanceof Error) item.reject(result);
        else item.resolve(result === true);
      }
    } catch (error) {
      for (const item of queue) item.reject(error);
    }
  }
}

/** Most checks the batch route takes in one request. */
const MAX_CHECKS_PER_REQUEST = 50;

/** The batch route's method, on servers that have it (`POST /tenants/:tenantId/permissions/check`). */
type CheckPermissions = (
  tenantId: string,
  body: { checks: PermissionCheck[] },
) => Promise<{ results: Array<{ allowed: boolean }> }>;

/**
 * The answers to `checks`, in order: one batch request per 50 checks where the server has the
 * batch route, else one `authorize` request per check (servers before it).
 */
async function checkMany(
  client: PortcullisClient,
  tenantId: string,
  checks: PermissionCheck[],
): Promise<Array<boolean | Error>> {
  const tenants = client.tenants as PortcullisClient['tenants'] & {
    permissions?: { check?: CheckPermissions };
  };
  const batch = tenants.permissions?.check;
  if (!batch) {
    return Promise.all(
      checks.map((check) =>
        client.tenants
          .authorize(tenantId, check as Parameters<PortcullisClient['tenants']['authorize']>[1])
          .then(
            (answer) => answer.allowed,
            (error: unknown) => asError(error),
          ),
      ),
    );
  }
  const chunks: PermissionCheck[][] = [];
  for (let start = 0; start < checks.length; start += MAX_CHECKS_PER_REQUEST) {
    chunks.push(checks.slice(start, start + MAX_CHECKS_PER_REQUEST));
  }
  // each chunk fails alone: a refused or lost request must not take the other chunks' answers
  const answers = await Promise.all(
    chunks.map((chunk) =>
      checkChunk(batch, tenantId, chunk).catch((error: unknown) => chunk.map(() => asError(error))),
    ),
  );
  return answers.flat();
}

/**
 * One batch request. When the server refuses some checks by index (`checks.3.action` outside the
 * catalog), those checks fail and the others are asked again: a typo in one gate must not
 * blank every gate on the page.
 */
async function checkChunk(
  batch: CheckPermissions,
  tenantId: string,
  checks: PermissionCheck[],
): Promise<Array<boolean | Error>> {
  try {
    const { results } = await batch(tenantId, { checks });
    return checks.map((_, index) => results[index]?.allowed === true);
  } catch (error) {
    const refused = refusedIndexes(error, checks.length);
    if (refused.size === 0 || refused.size === checks.length) throw error;
    const rest = checks.filter((_, index) => !refused.has(index));
    const answers = await checkChunk(batch, tenantId, rest);
    let next = 0;
    return checks.map((_, index) =>
      refused.has(index) ? asError(error) : (answers[next++] as boolean | Error),
    );
  }
}

/** The indexes of the checks an error's issues name (`checks.<index>…`). */
function refusedIndexes(error: unknown, count: number): Set<number> {
  const issues = isPortcullisClientError(error) ? (error.issues ?? []) : [];
  const indexes = new Set<number>();
  for (const issue of issues) {
    const match = /^checks\.(\d+)(\.|$)/.exec(issue.path);
    if (match && Number(match[1]) < count) indexes.add(Number(match[1]));
  }
  return indexes;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

const batchers = new WeakMap<PortcullisClient, PermissionBatcher>();

function batcherFor(client: PortcullisClient): PermissionBatcher {
  let batcher = batchers.get(client);
  if (!batcher) {
    batcher = new PermissionBatcher(client);
    batchers.set(client, batcher);
  }
  return batcher;
}
