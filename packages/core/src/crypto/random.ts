import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Node's one-shot `crypto.hash` (Node 20.12+, so always there on our Node floor; looked up rather
 * than imported so that a runtime without it falls back instead of failing to load). It skips the
 * Hash object `createHash` builds, a few microseconds per call on the session check's hot path.
 */
const oneShotHash: typeof nodeCrypto.hash | undefined =
  typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

/** A URL-safe opaque token of `bytes` random bytes (default 32 = 256 bits). */
export function generateToken(bytes = 32): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new RangeError(`token size must be a whole number of bytes, got ${bytes}`);
  // not from the ids' batch (uuid.ts): a secret's bytes are drawn when it is made, and never
  // sit in memory beforehand
  return randomBytes(bytes).toString('base64url');
}

/** Hex SHA-256 of a token: what is stored in place of the token. */
export function sha256Hex(value: string): string {
  // a string is hashed as its UTF-8 bytes by both
  if (oneShotHash) return oneShotHash('sha256', value, 'hex');
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string equality (hash both first so lengths always match). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
