import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { generateTotpSecret, totpStep, verifyTotpCode } from './totp-code.js';

/** RFC 4648 base32, no padding: how the RFC's ASCII seeds become authenticator secrets. */
function base32(ascii: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of Buffer.from(ascii, 'ascii')) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5)
    out += alphabet[Number.parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

// RFC 6238 appendix B: the seeds are the ASCII digits repeated to the hash's length
const SEEDS = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;

const VECTORS: [seconds: number, algorithm: keyof typeof SEEDS, code: string][] = [
  [59, 'sha1', '94287082'],
  [59, 'sha256', '46119246'],
  [59, 'sha512', '90693936'],
  [1111111109, 'sha1', '07081804'],
  [1111111109, 'sha256', '68084774'],
  [1111111109, 'sha512', '25091201'],
  [1111111111, 'sha1', '14050471'],
  [1111111111, 'sha256', '67062674'],
  [1111111111, 'sha512', '99943326'],
  [1234567890, 'sha1', '89005924'],
  [1234567890, 'sha256', '91819424'],
  [1234567890, 'sha512', '93441116'],
  [2000000000, 'sha1', '69279037'],
  [2000000000, 'sha256', '90698825'],
  [2000000000, 'sha512', '38618901'],
  [20000000000, 'sha1', '65353130'],
  [20000000000, 'sha256', '77737706'],
  [20000000000, 'sha512', '47863826'],
];

const at = (seconds: number) => new Date(seconds * 1000);

describe('verifyTotpCode', () => {
  it.each(VECTORS)('accepts the RFC 6238 vector at T=%i (%s): %s', (seconds, algorithm, code) => {
    const secret = base32(SEEDS[algorithm]);
    const options = { digits: 8, algorithm };

    expect(verifyTotpCode(secret, code, at(seconds), options)).toBe(totpStep(at(seconds)));
    // still accepted one step later (as the previous step), never two steps later
    expect(verifyTotpCode(secret, code, at(seconds + 30), options)).toBe(totpStep(at(seconds)));
    expect(verifyTotpCode(secret, code, at(seconds + 60), options)).toBeNull();
    // never a code of the future
    expect(verifyTotpCode(secret, code, at(seconds - 30), options)).toBeNull();
  });

  it('computes 6 digits by default and rejects codes of the wrong length or with non-digits', () => {
    const secret = base32(SEEDS.sha1);
    // the default 6 digits are the last 6 of the RFC's 8-digit code
    expect(verifyTotpCode(secret, '287082', at(59))).toBe(1);
    expect(verifyTotpCode(secret, '94287082', at(59))).toBeNull(); // 8 digits where 6 are expected
    expect(verifyTotpCode(secret, '28708a', at(59))).toBeNull();
    expect(verifyTotpCode(secret, '', at(59))).toBeNull();
  });

  // an independent implementation: Debian's oathtool (apt-get install oathtool)
  const oathtool = (() => {
    try {
      execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!oathtool && !process.env.CI)(
    'accepts the codes oathtool computes for a generated secret (skipped: oathtool not installed)',
    () => {
      const secret = generateTotpSecret();
      for (const seconds of [0, 59, 1_700_000_000, 1_767_225_599, 4_102_444_800]) {
        const code = execFileSync('oathtool', [
          '--totp',
          '-b',
          '-d',
          '6',
          '-s',
          '30',
          '-N',
          `@${seconds}`,
          secret,
        ])
          .toString()
          .trim();
        expect(verifyTotpCode(secret, code, at(seconds))).toBe(totpStep(at(seconds)));
        expect(verifyTotpCode(secret, code, at(seconds + 90))).toBeNull();
      }
    },
  );
});
