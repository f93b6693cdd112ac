import { describe, expect, it } from 'vitest';
import { isAuthError } from '../../errors.js';
import { normalizeAndCheckPassword } from './password-policy.js';

const policy = { minLength: 15, maxLength: 128 };

async function code(password: string, context = {}) {
  try {
    await normalizeAndCheckPassword(password, policy, context);
    return 'ok';
  } catch (error) {
    if (isAuthError(error)) return error.code;
    throw error;
  }
}

describe('password policy (NIST 800-63B-4)', () => {
  it('enforces minimum and maximum length in code points', async () => {
    expect(await code('fourteen-chars')).toBe('password_too_short');
    expect(await code('fifteen-chars!!')).toBe('ok');
    expect(await code('x'.repeat(129))).toBe('password_too_long');
    // 15 emoji are 30 UTF-16 units but 15 characters
    expect(await code('🦊🐢🦉🐙🦋🐝🦀🐬🦜🐌🦔🐞🦎🐳🦩')).toBe('ok');
    expect(await code('🦊🐢🦉🐙🦋🐝🦀🐬🦜🐌🦔🐞🦎🐳')).toBe('password_too_short');
  });

  it('rejects common passwords and repetitions regardless of case', async () => {
    expect(await code('PasswordPassword')).toBe('password_too_common');
    expect(await code('123456789012345')).toBe('password_too_common');
    expect(await code('aaaaaaaaaaaaaaaa')).toBe('password_too_common');
    expect(await code('abcabcabcabcabcabc')).toBe('password_too_common');
  });

  it('rejects the email or its local part as the password', async () => {
    expect(await code('averylongname@example.com', { email: 'averylongname@example.com' })).toBe(
      'password_too_common',
    );
    expect(await code('averylonglocalpart', { email: 'averylonglocalpart@example.com' })).toBe(
      'password_too_common',
    );
  });

  it('normalizes to NFKC and never truncates', async () => {
    const composed = await normalizeAndCheckPassword('ﬁne-tuned-passphrase', policy);
    expect(composed).toBe('fine-tuned-passphrase');
    const long = 'correct-horse-battery-staple-'.repeat(4);
    expect(await normalizeAndCheckPassword(long, policy)).toBe(long);
  });
});
