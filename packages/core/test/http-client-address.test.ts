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

describe('the client address comes only from the configured proxy chain', () => {
  /** Sends a wrong-password login from `socket` with `headers`; answers the IP the limiter counted. */
  function app(config: Parameters<typeof testAuth>[0]) {
    const { auth } = testAuth({
      clock: fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10)),
      rateLimit: { rules: { signIn: { limit: 1, windowSeconds: 60 } } },
      ...config,
    });
    return async (socket: string, headers: Record<string, string> = {}) => {
      const response = await auth.handler(
        new Request(`${ORIGIN}/auth/login`, {
          method: 'POST',
          headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ email: uniqueEmail(), password: WRONG }),
        }),
        { clientIp: socket },
      );
      return response.status;
    };
  }

  it('ignores a spoofed X-Forwarded-For without trusted proxies: each spoof is the same socket', async () => {
    const login = app({ trustProxy: false });
    expect(await login('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' })).toBe(401);
    // a new spoofed address buys no new budget
    expect(await login('203.0.113.9', { 'x-forwarded-for': '198.51.100.2' })).toBe(429);
  });

  it('walks X-Forwarded-For past the trusted proxies (CIDRs) to the first address that is none', async () => {
    const login = app({ trustProxy: ['10.0.0.0/8', '2001:db8:ffff::/48'] });
    // client 198.51.100.7 → proxy 2001:db8:ffff::1 → proxy 10.1.1.1 → us; the left end is a spoof
    const chain = { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 2001:db8:ffff::1' };
    expect(await login('10.1.1.1', chain)).toBe(401);
    expect(await login('10.2.2.2', { 'x-forwarded-for': '7.7.7.7, 198.51.100.7' })).toBe(429);
    // another client through the same proxies has its own budget
    expect(await login('10.1.1.1', { 'x-forwarded-for': '198.51.100.8' })).toBe(401);
  });

  it('ignores the header of a request that did not come through a trusted proxy', async () => {
    const login = app({ trustProxy: ['10.0.0.0/8'] });
    expect(await login('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' })).toBe(401);
    expect(await login('203.0.113.9', { 'x-forwarded-for': '198.51.100.2' })).toBe(429);
  });

  it('reads the for= of RFC 7239 Forwarded when told to', async () => {
    const login = app({ trustProxy: ['10.0.0.0/8'], proxyHeader: 'forwarded' });
    const forwarded = (client: string) => ({
      forwarded: `for=6.6.6.6, for="${client}";proto=https, for=10.0.0.2;by=10.0.0.1`,
    });
    expect(await login('10.0.0.1', forwarded('[2001:db8:1:2::1]:4711'))).toBe(401);
    // the same /64, through the same proxies: the same bucket
    expect(await login('10.0.0.1', forwarded('[2001:db8:1:2::99]'))).toBe(429);
    expect(await login('10.0.0.1', forwarded('198.51.100.1'))).toBe(401);
  });
});

describe('in production', () => {
  it('refuses to start when rate limits count by IP and trustProxy is not written out', () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(() => testAuth({ trustProxy: undefined })).toThrow(/trustProxy must be set in production/);
      // the escape hatches: say how (false: the socket address), or limit nothing
      expect(() => testAuth({ trustProxy: false })).not.toThrow();
      expect(() => testAuth({ trustProxy: undefined, rateLimit: { enabled: false } })).not.toThrow();
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});
