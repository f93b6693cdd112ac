import { type KeyObject, verify } from 'node:crypto';
import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import { type FetchGitHubPublicKeys, parseGitHubPublicKey } from './secret-scanning-options.js';

/** A signature header longer than this is no DER ECDSA P-256 signature (at most 72 bytes). */
const MAX_SIGNATURE_BASE64_LENGTH = 200;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The fetch hook runs at most this often: unknown identifiers cannot make the app call GitHub per request. */
export const PUBLIC_KEY_REFETCH_SECONDS = 60;

/**
 * Whether `signature` (base64 of a DER-encoded ECDSA signature, GitHub's
 * `Github-Public-Key-Signature`) is `key`'s over SHA-256 of `payload`, the exact body bytes.
 * Anything malformed is simply false.
 */
export function verifyGitHubSignature(payload: Uint8Array, signature: string, key: KeyObject): boolean {
  if (signature.length > MAX_SIGNATURE_BASE64_LENGTH || !BASE64.test(signature)) return false;
  try {
    return verify('sha256', payload, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** GitHub's public keys by identifier: the configured ones, and what the app's hook fetched. */
export interface GitHubKeyRing {
  /** The key named `keyIdentifier`, or null when neither configured nor fetched. */
  find(keyIdentifier: string): Promise<KeyObject | null>;
}

/**
 * The configured keys first; for an identifier they lack, the keys the app's `fetchPublicKeys`
 * returns (GitHub rotates keys; the alert names the new one), fetched at most once every
 * {@link PUBLIC_KEY_REFETCH_SECONDS} and by one call at a time. A failing hook or a key that does
 * not parse is logged and leaves the alert unverified (`signature_invalid`).
 */
export function createGitHubKeyRing(
  deps: { clock: Clock; logger: EventLogger },
  options: { publicKeys: ReadonlyMap<string, KeyObject>; fetchPublicKeys: FetchGitHubPublicKeys | null },
): GitHubKeyRing {
  const { clock, logger } = deps;
  let fetched = new Map<string, KeyObject>();
  let lastFetchMs = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;

  async function refetch(fetchPublicKeys: FetchGitHubPublicKeys): Promise<void> {
    try {
      const next = new Map<string, KeyObject>();
      for (const entry of await fetchPublicKeys()) {
        const key = typeof entry?.key === 'string' ? parseGitHubPublicKey(entry.key) : null;
        if (key && typeof entry.keyIdentifier === 'string') next.set(entry.keyIdentifier, key);
        else logger.warn('portcullis.secret_scanning.public_key_rejected');
      }
      fetched = next;
    } catch (error) {
      logger.warn('portcullis.secret_scanning.public_keys_failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  return {
    async find(keyIdentifier) {
      const known = options.publicKeys.get(keyIdentifier) ?? fetched.get(keyIdentifier);
      if (known || !options.fetchPublicKeys) return known ?? null;
      const nowMs = clock.now().getTime();
      if (!inFlight && nowMs - lastFetchMs >= PUBLIC_KEY_REFETCH_SECONDS * 1000) {
        lastFetchMs = nowMs;
        inFlight = refetch(options.fetchPublicKeys).finally(() => {
          inFlight = null;
        });
      }
      // a hook that hangs must not pile up unauthenticated requests: wait a bounded time, then
      // answer as for an unknown key (the fetch goes on and serves later reports)
      if (inFlight) await waitAtMost(inFlight, PUBLIC_KEY_FETCH_WAIT_MS);
      return fetched.get(keyIdentifier) ?? null;
    },
  };
}

/** How long a report naming an unknown key waits for `fetchPublicKeys`. */
const PUBLIC_KEY_FETCH_WAIT_MS = 5_000;

/** Resolves when `work` settles or after `ms`, whichever comes first. */
async function waitAtMost(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
  try {
    await Promise.race([work, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
