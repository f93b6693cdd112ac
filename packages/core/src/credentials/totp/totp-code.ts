import { authenticator } from 'otplib';
import type { HashAlgorithms } from 'otplib/core';
import { constantTimeEqual } from '../../crypto/random.js';

/** RFC 6238 time step: 30 seconds. */
export const TOTP_STEP_SECONDS = 30;

/** How codes are computed: what authenticator apps use unless told otherwise. */
export interface TotpCodeOptions {
  /** Default 6. */
  digits?: number;
  /** Default `sha1`. */
  algorithm?: 'sha1' | 'sha256' | 'sha512';
}

/** The 30-second step `at` falls in (RFC 6238 `T`, with `T0` = 0). */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** A new random base32 secret of 160 bits (RFC 4226's recommended length for SHA-1). */
export function generateTotpSecret(): string {
  return authenticator.generateSecret(20);
}

/**
 * The `otpauth://` URI authenticator apps read from a QR code.
 *
 * @example
 * totpUri('JBSWY3DPEHPK3PXP', { issuer: 'Acme', account: 'ada@example.com' })
 * // 'otpauth://totp/Acme:ada%40example.com?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&algorithm=SHA1&issuer=Acme'
 */
export function totpUri(secret: string, label: { issuer: string; account: string }): string {
  return authenticator.keyuri(label.account, label.issuer, secret);
}

/** The code of `step` for a base32 secret. */
export function totpCodeAt(secret: string, step: number, options: TotpCodeOptions = {}): string {
  return authenticator
    .clone({
      digits: options.digits ?? 6,
      algorithm: (options.algorithm ?? 'sha1') as HashAlgorithms,
      step: TOTP_STEP_SECONDS,
      epoch: step * TOTP_STEP_SECONDS * 1000,
    })
    .generate(secret);
}

/**
 * The step `code` belongs to, when it is the code of the current step at `now` or of the one
 * before (one step of clock drift or typing time, nothing more); otherwise null. Whether that
 * step was already used is the caller's business: claim it atomically before accepting.
 *
 * @example
 * const step = verifyTotpCode(secret, '123456', clock.now())
 * if (step === null || !(await storage.mfa.claimTotpStep(userId, step))) throw new AuthError('invalid_mfa_code')
 */
export function verifyTotpCode(
  secret: string,
  code: string,
  now: Date,
  options: TotpCodeOptions = {},
): number | null {
  const digits = options.digits ?? 6;
  if (code.length !== digits || !/^\d+$/.test(code)) return null;
  const current = totpStep(now);
  // newest first: when both match (they never should), the later step is the one to burn
  for (const step of [current, current - 1]) {
    if (constantTimeEqual(totpCodeAt(secret, step, options), code)) return step;
  }
  return null;
}
