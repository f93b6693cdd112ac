import { AuthError } from '../../errors.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  /** Extra blocklist check from the host app (e.g. a breached-password service). */
  isBlocked?: ((password: string) => boolean | Promise<boolean>) | undefined;
}

/**
 * NFKC-normalizes the password (so the same characters typed on another keyboard verify) and
 * enforces the policy. Length counts code points, not UTF-16 units or bytes; nothing is ever
 * truncated. Returns the normalized password, the only form that is hashed or verified.
 */
export async function normalizeAndCheckPassword(
  password: string,
  policy: PasswordPolicy,
  context: { email?: string | undefined; name?: string | null | undefined } = {},
): Promise<string> {
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length < policy.minLength) {
    throw new AuthError('password_too_short', { detail: `use at least ${policy.minLength} characters` });
  }
  if (length > policy.maxLength) {
    throw new AuthError('password_too_long', { detail: `use at most ${policy.maxLength} characters` });
  }
  if (isCommonPassword(normalized, context) || (await policy.isBlocked?.(normalized))) {
    throw new AuthError('password_too_common', { detail: 'choose a less common password' });
  }
  return normalized;
}

/** Normalization for verification: same transform as at creation, no policy checks. */
export function normalizePasswordForVerify(password: string): string {
  return password.normalize('NFKC');
}

function isCommonPassword(
  password: string,
  context: { email?: string | undefined; name?: string | null | undefined },
) {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  // a single repeated character, or a short block repeated ("abcabcabcabcabc")
  if (/^(.{1,4})\1+$/u.test(lower)) return true;
  const email = context.email?.toLowerCase();
  if (email && (lower === email || lower === email.split('@')[0])) return true;
  const name = context.name?.toLowerCase().replace(/\s+/g, '');
  if (name && name.length >= 4 && lower.replace(/\s+/g, '') === name) return true;
  return false;
}
