import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import type { RecoveryCode } from './mfa.js';

/** How many recovery codes a user gets at a time. */
export const RECOVERY_CODE_COUNT = 10;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A new recovery code: 80 random bits as 16 base32 letters in groups of four
 * (`abcd-efgh-2345-wxyz`). That entropy is why a plain SHA-256 is enough to store it.
 */
export function generateRecoveryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** What is stored for a code: SHA-256 of it without case, spaces or dashes, as users retype it. */
export function hashRecoveryCode(code: string): string {
  return sha256Hex(code.toLowerCase().replace(/[\s-]/g, ''));
}

/**
 * A full set of fresh codes for a user: the clear codes, to show once, and the rows to store
 * (hashes only). Issued with the user's first second factor, whichever kind, and on request.
 */
export function newRecoveryCodes(userId: string, now: Date): { codes: string[]; rows: RecoveryCode[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const rows = codes.map((code) => ({
    id: uuidv7(now.getTime()),
    userId,
    codeHash: hashRecoveryCode(code),
    usedAt: null,
    createdAt: now,
  }));
  return { codes, rows };
}
