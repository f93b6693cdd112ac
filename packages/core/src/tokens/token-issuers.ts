import type { Storage } from '../ports/storage.js';

/** An issuer of access tokens: the install's (`tenantId` null) or an isolated-pool tenant's own. */
export interface IssuerScope {
  /** The `iss` its tokens carry, exactly. */
  issuer: string;
  /** The tenant whose issuer it is; null for the install's. */
  tenantId: string | null;
}

/**
 * Which issuer a tenant's tokens have. With `tokens.tenantIssuers` every isolated-pool tenant
 * has its own, `<install issuer>/tenants/<tenantId>` (the id, not the slug: a slug can be
 * renamed, and an issuer identifier must never change); every other token is the install's.
 */
export interface TokenIssuers {
  /** The install's issuer (`tokens.issuer`). */
  install: IssuerScope;
  /**
   * The issuer of tokens acting in `tenantId` (their `tid`): the tenant's own when it has one,
   * else the install's (also for no tenant, or one that does not exist).
   */
  scopeOf(tenantId: string | null | undefined): Promise<IssuerScope>;
  /** The tenant's own issuer, or null when it has none (feature off, shared pool, no such tenant). */
  tenantScope(tenantId: string): Promise<IssuerScope | null>;
}

// A tenant's pool never changes after creation, so an answer can be kept; the bound keeps tokens
// naming random tenants (refused anyway) from growing it without end.
const MAX_REMEMBERED_TENANTS = 10_000;
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The issuers of an install; `tenants` is read once per tenant (its pool cannot change). */
export function createTokenIssuers(
  collaborators: { tenants: Pick<Storage['tenants'], 'findById'> },
  options: { issuer: string; tenantIssuers: boolean },
): TokenIssuers {
  const install: IssuerScope = { issuer: options.issuer, tenantId: null };
  const isolated = new Map<string, Promise<boolean>>();

  function isIsolated(tenantId: string): Promise<boolean> {
    let answer = isolated.get(tenantId);
    if (!answer) {
      if (isolated.size >= MAX_REMEMBERED_TENANTS) {
        const oldest = isolated.keys().next().value;
        if (oldest !== undefined) isolated.delete(oldest);
      }
      answer = collaborators.tenants.findById(tenantId).then((t) => t?.userPool === 'isolated');
      isolated.set(tenantId, answer);
      // a failed read is not an answer: ask again next time
      answer.catch(() => isolated.delete(tenantId));
    }
    return answer;
  }

  async function tenantScope(tenantId: string): Promise<IssuerScope | null> {
    if (!options.tenantIssuers || !TENANT_ID.test(tenantId)) return null;
    if (!(await isIsolated(tenantId))) return null;
    return { issuer: `${options.issuer.replace(/\/+$/, '')}/tenants/${tenantId}`, tenantId };
  }

  return {
    install,
    tenantScope,
    async scopeOf(tenantId) {
      if (!tenantId) return install;
      return (await tenantScope(tenantId)) ?? install;
    },
  };
}
