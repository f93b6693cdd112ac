import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomPool } from './random-pool.js';

/** A URL-safe opaque token of `bytes` random bytes (default 32 = 256 bits). */
export function generateToken(bytes = 32): string {
  if (bytes > 256) return randomBytes(bytes).toString('base64url');
  const { bytes: pool } = randomPool;
  const at = randomPool.take(bytes);
  const token = pool.toString('base64url', at, at + bytes);
  pool.fill(0, at, at + bytes); // a secret: not left in memory once taken
  return token;
}

/** Hex SHA-256 of a token: what is stored in place of the token. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string equality (hash both first so lengths always match). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
