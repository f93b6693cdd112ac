import { afterEach, describe, expect, it } from 'vitest';
import type { Auth, NodeHeaders } from '../src/index.js';
import { readCookie } from '../src/sessions/session-cookie.js';
import { PASSWORD, testAuth, uniqueEmail } from './support.js';

// Issue 15: framework guards hand core the headers they already have (Node's `req.headers`)
// instead of copying them into a Web `Headers`. Every entry point that takes them must read them
// exactly as it reads `Headers`.

const opened: Auth[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((auth) => auth.close()));
});

async function signedIn(baseURL = 'http://localhost:3000') {
  const { auth } = testAuth({ baseURL });
  opened.push(auth);
  const result = await auth.api.signUp({ email: uniqueEmail(), password: PASSWORD });
  if ('pending' in result) throw new Error('unexpected pending sign-up');
  return { auth, token: result.token, userId: result.user.id };
}

/** What `getSession` answers for this Cookie header, as Node's object, as Headers and as a Request. */
async function sessionUserIds(auth: Auth, cookie: string | undefined) {
  const node: NodeHeaders = cookie === undefined ? {} : { cookie };
  const web = new Headers(cookie === undefined ? {} : { cookie });
  const request = new Request('http://localhost:3000/x', { headers: web });
  const found = await Promise.all([
    auth.api.getSession(node),
    auth.api.getSession(web),
    auth.api.getSession(request),
  ]);
  return found.map((f) => f?.user.id ?? null);
}

describe('getSession from the headers a framework has', () => {
  it("finds the session cookie among several, in Node's header object as in Headers and Request", async () => {
    const { auth, token, userId } = await signedIn();
    const name = auth.sessionCookieName;
    expect(await sessionUserIds(auth, `theme=dark; ${name}=${token}; lang=en`)).toEqual([
      userId,
      userId,
      userId,
    ]);
    expect(await sessionUserIds(auth, `${name}=${token}`)).toEqual([userId, userId, userId]);
    expect(await sessionUserIds(auth, ` ${name} = ${token} ;x=1`)).toEqual([userId, userId, userId]);
  });

  it('accepts a quoted value, and answers null without the cookie or with an empty one', async () => {
    const { auth, token, userId } = await signedIn();
    const name = auth.sessionCookieName;
    expect(await sessionUserIds(auth, `${name}="${token}"`)).toEqual([userId, userId, userId]);
    expect(await sessionUserIds(auth, undefined)).toEqual([null, null, null]);
    expect(await sessionUserIds(auth, 'theme=dark')).toEqual([null, null, null]);
    expect(await sessionUserIds(auth, `${name}=`)).toEqual([null, null, null]);
    expect(await sessionUserIds(auth, `x${name}=${token}; ${name}x=${token}`)).toEqual([null, null, null]);
  });

  it('takes the first of duplicate session cookies, as the HTTP handler does', async () => {
    const { auth, token, userId } = await signedIn();
    const name = auth.sessionCookieName;
    expect(await sessionUserIds(auth, `${name}=${token}; ${name}=forged`)).toEqual([userId, userId, userId]);
    expect(await sessionUserIds(auth, `${name}=forged; ${name}=${token}`)).toEqual([null, null, null]);
  });

  it('reads the __Host- cookie on https, and not the bare name there', async () => {
    const { auth, token, userId } = await signedIn('https://app.example.com');
    expect(auth.sessionCookieName).toBe('__Host-portcullis.session');
    expect(await sessionUserIds(auth, `__Host-portcullis.session=${token}`)).toEqual([
      userId,
      userId,
      userId,
    ]);
    expect(await sessionUserIds(auth, `portcullis.session=${token}`)).toEqual([null, null, null]);
  });

  it('refuses tokens longer than any it issues, and bad percent-encoding, without a lookup', async () => {
    const { auth, token } = await signedIn();
    const name = auth.sessionCookieName;
    expect(await sessionUserIds(auth, `${name}=${token}${'a'.repeat(257 - token.length)}`)).toEqual([
      null,
      null,
      null,
    ]);
    expect(await sessionUserIds(auth, `${name}=${'a'.repeat(100_000)}`)).toEqual([null, null, null]);
    expect(await sessionUserIds(auth, `${name}=%E0%A4%A`)).toEqual([null, null, null]);
  });

  it('joins a header Node left as an array the way Headers would', async () => {
    const { auth, token, userId } = await signedIn();
    // Node merges repeated Cookie headers into one string; an array here is only defensive
    const found = await auth.api.getSession({ cookie: [`${auth.sessionCookieName}=${token}`] });
    expect(found?.user.id).toBe(userId);
  });
});

describe('readCookie', () => {
  it('decodes percent-encoding, keeps = inside a value, and compares names whole', () => {
    expect(readCookie('sid=a%20b', 'sid')).toBe('a b');
    expect(readCookie('sid=a=b=c', 'sid')).toBe('a=b=c');
    expect(readCookie('a; sid=1', 'sid')).toBe('1'); // a part without = is skipped
    expect(readCookie('sid', 'sid')).toBeNull();
    expect(readCookie('Sid=1', 'sid')).toBeNull();
    expect(readCookie('"sid"=1', 'sid')).toBeNull();
    expect(readCookie('sid="', 'sid')).toBe('"'); // one quote is not a quoted value
    expect(readCookie('sid=""', 'sid')).toBe('');
    expect(readCookie(';;sid=2;', 'sid')).toBe('2');
    expect(readCookie(undefined, 'sid')).toBeNull();
    expect(readCookie('', 'sid')).toBeNull();
  });
});

describe('assertTrustedOrigin and callContext with Node header objects', () => {
  const cases: { name: string; headers: Record<string, string>; cookie: boolean; trusted: boolean }[] = [
    { name: 'trusted Origin', headers: { origin: 'http://localhost:3000' }, cookie: true, trusted: true },
    { name: 'untrusted Origin', headers: { origin: 'https://evil.example' }, cookie: true, trusted: false },
    { name: 'Origin null', headers: { origin: 'null' }, cookie: false, trusted: false },
    {
      name: 'cross-site without Origin',
      headers: { 'sec-fetch-site': 'cross-site' },
      cookie: false,
      trusted: false,
    },
    {
      name: 'no Origin, trusted Referer',
      headers: { referer: 'http://localhost:3000/page' },
      cookie: true,
      trusted: true,
    },
    {
      name: 'no Origin, foreign Referer',
      headers: { referer: 'https://evil.example/' },
      cookie: true,
      trusted: false,
    },
    { name: 'no Origin, bad Referer', headers: { referer: 'not a url' }, cookie: true, trusted: false },
    { name: 'neither, with the cookie', headers: {}, cookie: true, trusted: false },
    { name: 'neither, without the cookie', headers: {}, cookie: false, trusted: true },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.trusted ? 'passes' : 'refused'}, as with Headers`, async () => {
      const { auth } = await signedIn();
      const check = (headers: Headers | NodeHeaders) => {
        try {
          auth.assertTrustedOrigin(headers, { hasSessionCookie: c.cookie });
          return 'passed';
        } catch (error) {
          return (error as { code?: string; detail?: string }).detail ?? String(error);
        }
      };
      const fromNode = check(c.headers);
      expect(fromNode).toBe(check(new Headers(c.headers))); // same outcome, same detail
      expect(fromNode === 'passed').toBe(c.trusted);
    });
  }

  it('reads the client address and user agent from Node headers by the trustProxy rule', () => {
    const { auth } = testAuth({ trustProxy: 1 });
    opened.push(auth);
    const headers = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7', 'user-agent': 'curl/8' };
    const fromNode = auth.callContext(headers, { clientIp: '10.0.0.1' });
    const fromWeb = auth.callContext(new Headers(headers), { clientIp: '10.0.0.1' });
    expect(fromNode.ip).toBe('198.51.100.7');
    expect(fromNode.userAgent).toBe('curl/8');
    expect({ ...fromNode, requestId: '' }).toEqual({ ...fromWeb, requestId: '' });
  });
});
