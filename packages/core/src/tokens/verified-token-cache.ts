import type { AccessTokenPrincipal } from './tokens.js';

/**
 * Tokens whose signature and claims were already checked, so a repeated token skips the
 * signature. Bounded (the oldest entry leaves first) and keyed by the whole token, so a token
 * differing in one byte is a miss. An entry never outlives the token's `exp`: the lookup itself
 * refuses it. It holds no revocation verdict: the verifier asks on every hit.
 */
export interface VerifiedTokenCache {
  get(token: string, nowMs: number): AccessTokenPrincipal | undefined;
  set(token: string, principal: AccessTokenPrincipal): void;
  readonly size: number;
}

export function createVerifiedTokenCache(maxEntries: number): VerifiedTokenCache {
  const entries = new Map<string, AccessTokenPrincipal>();
  return {
    get(token, nowMs) {
      const principal = entries.get(token);
      if (principal === undefined) return undefined;
      if (principal.expiresAt.getTime() <= nowMs) {
        entries.delete(token);
        return undefined;
      }
      return principal;
    },
    set(token, principal) {
      if (maxEntries <= 0) return;
      entries.delete(token);
      // a Map iterates in insertion order: its first key is the oldest entry
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entries.set(token, principal);
    },
    get size() {
      return entries.size;
    },
  };
}
