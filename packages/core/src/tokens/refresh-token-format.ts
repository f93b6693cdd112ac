import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { generateToken } from '../crypto/random.js';

/** Every refresh token starts with it, so secret scanners and people can tell what it is. */
export const REFRESH_TOKEN_PREFIX = 'pc_rt_';

/** 32 bytes of base64url (256 bits), then 6 characters of checksum. */
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const FORMAT = new RegExp(`^${REFRESH_TOKEN_PREFIX}[A-Za-z0-9_-]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

/**
 * The checksum over everything before it: the first 36 bits of its SHA-256, base64url. It is no
 * secret and proves nothing; it lets a mistyped or truncated token be refused before any lookup.
 */
function checksum(prefixAndBody: string): string {
  return createHash('sha256')
    .update(prefixAndBody, 'utf8')
    .digest()
    .subarray(0, 5)
    .toString('base64url')
    .slice(0, CHECKSUM_LENGTH);
}

function withChecksum(body: string): string {
  const head = `${REFRESH_TOKEN_PREFIX}${body}`;
  return `${head}${checksum(head)}`;
}

/** A new first token of a family: 256 random bits. */
export function generateRefreshToken(): string {
  return withChecksum(generateToken(32));
}

/**
 * Whether `token` has the shape of a refresh token and its checksum matches. Nothing is looked up
 * for a token that fails: a typo costs no database read.
 */
export function isWellFormedRefreshToken(token: string): boolean {
  if (!FORMAT.test(token)) return false;
  const head = token.slice(0, REFRESH_TOKEN_PREFIX.length + BODY_LENGTH);
  return checksum(head) === token.slice(head.length);
}

/**
 * Derives successor tokens: the token that replaces `parentId` in `familyId` at `generation` is
 * an HMAC of the three under a key derived from the app secret. So a retry within the grace
 * window gets the very same successor back without it ever being stored in clear, and knowing
 * ids alone (they appear in audit entries) gives nothing without the secret.
 */
export function createSuccessorDeriver(
  secret: string,
): (familyId: string, parentId: string, generation: number) => string {
  const key = Buffer.from(
    hkdfSync('sha256', secret, Buffer.alloc(0), 'portcullis:refresh-token-successor', 32),
  );
  return (familyId, parentId, generation) =>
    withChecksum(
      createHmac('sha256', key)
        .update(`${familyId}\u0000${parentId}\u0000${generation}`, 'utf8')
        .digest('base64url'),
    );
}
