import { constantTimeEqual, generateToken, sha256Hex } from '../crypto/random.js';
import type { Client, ClientSecretSlot } from './clients.js';

/**
 * Client secrets: `pc_cs_` and 43 base64url characters (256 random bits). Being random, a
 * SHA-256 is enough to keep them at rest (no slow hash needed, as for session tokens); the
 * presented secret is hashed and compared with each stored hash in constant time.
 */
export const CLIENT_SECRET_PREFIX = 'pc_cs_';

/** A new secret and the hash to store in its place. */
export function generateClientSecret(): { secret: string; secretHash: string } {
  const secret = `${CLIENT_SECRET_PREFIX}${generateToken(32)}`;
  return { secret, secretHash: sha256Hex(secret) };
}

/**
 * Which of the client's secrets `presented` is, at `now`: the current one, the previous one while
 * its overlap lasts, or null. Both comparisons always run, so the time taken says nothing about
 * which (if either) matched.
 */
export function matchClientSecret(client: Client, presented: string, now: Date): ClientSecretSlot | null {
  const presentedHash = sha256Hex(presented);
  const current = client.secretHash !== null && constantTimeEqual(presentedHash, client.secretHash);
  const previousLive =
    client.previousSecretHash !== null &&
    client.previousSecretExpiresAt !== null &&
    client.previousSecretExpiresAt.getTime() > now.getTime();
  const previous = constantTimeEqual(presentedHash, client.previousSecretHash ?? '') && previousLive;
  if (current) return 'current';
  if (previous) return 'previous';
  return null;
}
