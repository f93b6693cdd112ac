import type { AccessTokenPrincipal } from './tokens.js';

/**
 * Tokens whose signature and claims were already checked, so a repeated token skips the
 * signature. Bounded (the oldest entry leaves first) and keyed by the whole token, so a token
 * differing in one byte is a miss. An entry never outlives the token's `exp`, nor the `untilMs`
 * its writer sets (the verifier: as long as it trusts the key set it checked the token with):
 * the lookup itself refuses it. It holds no revocation verdict: the verifier asks on every hit.
 */
export interface VerifiedTokenCache {
  get(token: string, nowMs: number): AccessTokenPrincipal | undefined;
  set(token: string, principal: AccessTokenPrincipal, untilMs: number): void;
  readonly size: number;
}

interface Entry {
  principal: AccessTokenPrincipal;
  untilMs: number;
}

export function createVerifiedTokenCache(maxEntries: number): VerifiedTokenCache {
  const entries = new Map<string, Entry>();
  return {
    get(token, nowMs) {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      if (entry.untilMs <= nowMs) {
        entries.delete(token);
        return undefined;
      }
      return entry.principal;
    },
    set(token, principal, untilMs) {
      if (maxEntries <= 0) return;
      entries.delete(token);
      // a Map iterates in insertion order: its first key is the oldest entry
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entries.set(token, { principal, untilMs: Math.min(untilMs, principal.expiresAt.getTime()) });
    },
    get size() {
      return entries.size;
    },
  };
}
