import { describe, expect, it } from 'vitest';
import { rateLimitItem } from './rate-limit-fields.js';
import { fakeClock, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

const PROXY = '10.0.0.1';
const WRONG = 'wrong password but long';

/** A client behind one trusted proxy: `forwarded` is the entry the proxy appended. */
function behindProxy(signInLimit = 100) {
  const { auth } = testAuth({
    trustProxy: true,
    clock: fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10)),
    rateLimit: { rules: { signIn: { limit: signInLimit, windowSeconds: 60 } } },
  });
  async function send(path: string, body: unknown, forwarded: string | null, socket: string | null = PROXY) {
    const headers = new Headers({ origin: ORIGIN, 'content-type': 'application/json' });
    if (forwarded !== null) headers.set('x-forwarded-for', `198.51.100.77, ${forwarded}`);
    const response = await auth.handler(
      new Request(`${ORIGIN}/auth${path}`, { method: 'POST', headers, body: JSON.stringify(body) }),
      { clientIp: socket },
    );
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(auth.sessionCookieName));
    return { status: response.status, headers: response.headers, cookie: cookie?.split(';')[0] ?? null };
  }
  const login = (forwarded: string | null, socket?: string | null) =>
    send('/login', { email: uniqueEmail(), password: WRONG }, forwarded, socket);
  /** Signs up through the proxy and answers the IP the new session was stored with. */
  async function storedIp(forwarded: string | null, socket?: string | null): Promise<string | null> {
    const signedUp = await send('/signup', { email: uniqueEmail(), password: PASSWORD }, forwarded, socket);
    expect(signedUp.status).toBe(201);
    const listed = await auth.handler(
      new Request(`${ORIGIN}/auth/sessions`, { headers: { cookie: signedUp.cookie! } }),
    );
    return (await listed.json()).items[0].ip;
  }
  return { auth, login, storedIp };
}

// regression: ten spellings of one address got ten rate-limit buckets, and `<script>` was stored as a session IP
describe('forwarded client addresses are parsed and canonicalised', () => {
  const SPELLINGS = [
    '192.0.2.10',
    '::ffff:192.0.2.10',
    '::FFFF:C000:020A',
    '0:0:0:0:0:ffff:c000:20a',
    '192.000.002.010',
    '192.0.2.10:8080',
    '[::ffff:192.0.2.10]',
    '[::ffff:192.0.2.10]:443',
    '3221225994',
    '  192.0.2.10  ',
  ];

  it('counts ten spellings of one address in one rate-limit bucket', async () => {
    const { login } = behindProxy(SPELLINGS.length);
    for (const [i, spelling] of SPELLINGS.entries()) {
      const res = await login(spelling);
      expect(res.status, spelling).toBe(401);
      expect(rateLimitItem(res.headers.get('ratelimit'), 'signIn'), spelling).toEqual({
        r: SPELLINGS.length - 1 - i,
        t: (i + 1) * (60 / SPELLINGS.length),
      });
    }
    expect((await login('192.0.2.10')).status).toBe(429);
    // another address is another bucket
    expect((await login('192.0.2.11')).status).toBe(401);
  });

  it('stores the canonical address as the session IP', async () => {
    const { storedIp } = behindProxy();
    for (const spelling of SPELLINGS) expect(await storedIp(spelling), spelling).toBe('192.0.2.10');
    expect(await storedIp('[2001:DB8:0:0:0:0:0:1]:8443')).toBe('2001:db8::1');
    expect(await storedIp('fe80::1%eth0')).toBe('fe80::1');
  });

  it('never stores what is no address: `<script>` and other garbage fall back to the socket address', async () => {
    const { storedIp } = behindProxy();
    for (const garbage of [
      '<script>alert(1)</script>',
      '<script>',
      'unknown',
      '1.2.3',
      '999.1.1.1',
      '0x7f.1',
      '',
    ]) {
      expect(await storedIp(garbage), garbage).toBe(PROXY);
    }
  });

  it('falls back to null when the socket address is garbage too', async () => {
    const { storedIp } = behindProxy();
    expect(await storedIp('<script>', '<img src=x>')).toBeNull();
    expect(await storedIp(null, 'not an address')).toBeNull();
  });

  it('canonicalises the socket address without trustProxy (the IPv4-mapped form dual-stack servers report)', async () => {
    const { auth, client } = testAuth();
    void client;
    const response = await auth.handler(
      new Request(`${ORIGIN}/auth/signup`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json', 'x-forwarded-for': '<script>' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      }),
      { clientIp: '::ffff:127.0.0.1' },
    );
    const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const listed = await auth.handler(new Request(`${ORIGIN}/auth/sessions`, { headers: { cookie } }));
    expect((await listed.json()).items[0].ip).toBe('127.0.0.1');
  });

  it('gives server code the same canonical address through callContext', () => {
    const { auth } = testAuth({ trustProxy: true });
    const headers = (xff: string) => new Headers({ 'x-forwarded-for': xff });
    expect(auth.callContext(headers('[2001:0db8::0001]:443')).ip).toBe('2001:db8::1');
    expect(auth.callContext(headers('<script>'), { clientIp: '::ffff:10.1.2.3' }).ip).toBe('10.1.2.3');
    expect(auth.callContext(headers('<script>')).ip).toBeNull();
  });
});

describe('IPv6 clients are limited by their /64', () => {
  it('counts addresses of one /64 together and another /64 apart, while storing each full address', async () => {
    const { login, storedIp } = behindProxy(2);
    expect((await login('2001:db8:1:2::1')).status).toBe(401);
    expect((await login('[2001:db8:1:2:ffff:ffff:ffff:9]:1234')).status).toBe(401);
    expect((await login('2001:db8:1:2:abcd::7')).status).toBe(429);
    expect((await login('2001:db8:1:3::1')).status).toBe(401);
    // the stored address stays the whole canonical one, not its /64
    expect(await storedIp('2001:DB8:1:2:0:0:0:ABCD')).toBe('2001:db8:1:2::abcd');
  });
});
