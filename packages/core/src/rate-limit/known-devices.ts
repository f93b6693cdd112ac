import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How many accounts one browser's device cookie remembers, the most recent first. */
export const MAX_ACCOUNTS_PER_DEVICE = 5;
/** How long a device cookie lives after the sign-in that last set it (renewed at each one). */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

const MAX_COOKIE_LENGTH = 512;
const PART = /^[A-Za-z0-9_-]{16,43}$/;

/**
 * Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a browser
 * that signed in to an account before carries an HMAC-signed value naming a random device id
 * and the accounts it signed in to. Such a browser gets failure budgets of its own for those
 * accounts; every other client shares the account's budget for unknown devices. An attacker
 * without one of the owner's browsers can lock only that shared budget, never the owner's own.
 *
 * The value is `<deviceId>.<account tag>….<mac>`: the tags are keyed hashes of the account keys
 * (`pool:email`), so the cookie names no email; the MAC covers everything before it. Both keys
 * are derived from `secret`.
 */
export interface KnownDevices {
  /**
   * The device id `cookie` names when it is authentic and lists `accountKey`; null otherwise
   * (no cookie, forged or garbled, or a browser that never signed in to this account).
   */
  recognize(cookie: string | null | undefined, accountKey: string): string | null;
  /**
   * The cookie value that names this browser as known to `accountKey`: the same device id when
   * `cookie` is authentic (the account moved to the front, at most
   * {@link MAX_ACCOUNTS_PER_DEVICE} kept), a new one otherwise.
   */
  remember(cookie: string | null | undefined, accountKey: string): string;
}

export function createKnownDevices(secret: string): KnownDevices {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  const macKey = derive('portcullis:device-cookie');
  const tagKey = derive('portcullis:device-cookie-account');
  const mac = (payload: string) => createHmac('sha256', macKey).update(payload, 'utf8').digest();
  const tagOf = (accountKey: string) =>
    createHmac('sha256', tagKey).update(accountKey, 'utf8').digest().subarray(0, 12).toString('base64url');

  function parse(cookie: string | null | undefined): { deviceId: string; tags: string[] } | null {
    if (!cookie || cookie.length > MAX_COOKIE_LENGTH) return null;
    const parts = cookie.split('.');
    if (parts.length < 3 || !parts.every((part) => PART.test(part))) return null;
    const signature = Buffer.from(parts.pop()!, 'base64url');
    const expected = mac(parts.join('.'));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
    const [deviceId, ...tags] = parts;
    return { deviceId: deviceId!, tags };
  }

  return {
    recognize(cookie, accountKey) {
      const parsed = parse(cookie);
      return parsed?.tags.includes(tagOf(accountKey)) ? parsed.deviceId : null;
    },
    remember(cookie, accountKey) {
      const parsed = parse(cookie);
      const deviceId = parsed?.deviceId ?? randomBytes(16).toString('base64url');
      const tag = tagOf(accountKey);
      const tags = [tag, ...(parsed?.tags ?? []).filter((t) => t !== tag)].slice(0, MAX_ACCOUNTS_PER_DEVICE);
      const payload = [deviceId, ...tags].join('.');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
  };
}
