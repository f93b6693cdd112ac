import type { Storage } from '../ports/storage.js';
import { auditChainKey } from './audit.js';
import { type AuditChainVerification, verifyAuditEvents } from './audit-chain.js';

/** The audit operations of `auth.api`. */
export interface AuditApi {
  /**
   * Recomputes an audit hash chain: a tenant's (`{ tenantId }`), a user's own events outside any
   * tenant (`{ userId }`), or the global chain (`{}`). Any edited, removed or reordered entry
   * makes it `valid: false`, with the first broken position.
   *
   * @example
   * const { valid, brokenAtSeq } = await auth.api.verifyAuditChain({ tenantId })
   */
  verifyAuditChain(scope: { tenantId?: string; userId?: string }): Promise<AuditChainVerification>;
}

/** The audit domain: its `auth.api` operations. */
export interface AuditService {
  api: AuditApi;
}

export function createAuditService({ storage }: { storage: Storage }): AuditService {
  return {
    api: {
      verifyAuditChain(scope) {
        const chainKey = auditChainKey(scope);
        return verifyAuditEvents((afterSeq, limit) => storage.audit.listChain(chainKey, afterSeq, limit));
      },
    },
  };
}
