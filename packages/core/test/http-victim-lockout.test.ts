import { describe, expect, it } from 'vitest';
import type { Auth, AuthConfig } from '../src/index.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import { fakeClock, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

const DAY_SECONDS = 86_400;
const NEW_PASSWORD = 'a brand new passphrase for this account';

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
  headers: Headers;
}

/**
 * A browser: one client address and a cookie jar that keeps every cookie the handler sets (the
 * session's and the device cookie), sending them back as a browser on ORIGIN would.
 */
function browser(auth: Auth, clientIp: string) {
  const jar = new Map<string, string>();
  async function post(path: string, body: unknown): Promise<Answer> {
    const headers = new Headers({ origin: ORIGIN, 'content-type': 'application/json' });
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await auth.handler(
      new Request(`${ORIGIN}/auth${path}`, { method: 'POST', headers, body: JSON.stringify(body) }),
      { clientIp },
    );
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(cookie)) jar.delete(pair!.slice(0, eq));
      else jar.set(pair!.slice(0, eq), value);
    }
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }
  return { post, jar, forgetSession: () => jar.delete(auth.sessionCookieName) };
}

function deployment(overrides: Partial<AuthConfig> = {}) {
  const clock = fakeClock();
  const storage = memoryStorage();
  const world = testAuth({
    clock,
    storage,
    keyValue: memoryKeyValue({ clock }),
    emailLinks: {
      resetPasswordUrl: 'https://app.example.com/reset-password',
      magicLinkUrl: 'https://app.example.com/magic-link',
    },
    ...overrides,
  });
  async function tokenMailedTo(to: string): Promise<string> {
    while ((await world.auth.outbox.dispatchOnce()) > 0);
    const token = world.sent
      .filter((m) => m.to === to)
      .at(-1)
      ?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
    if (!token) throw new Error(`no link mailed to ${to}`);
    return token;
  }
  return { ...world, clock, storage, tokenMailedTo };
}

/** The owner, signed up and signed in once from their own browser (which now holds a device cookie). */
async function ownerWithKnownBrowser(auth: Auth) {
  const email = uniqueEmail('owner');
  const laptop = browser(auth, '198.51.100.7');
  expect((await laptop.post('/signup', { email, password: PASSWORD })).status).toBe(201);
  laptop.forgetSession();
  expect((await laptop.post('/login', { email, password: PASSWORD })).status).toBe(200);
  laptop.forgetSession();
  return { email, laptop };
}

/**
 * One wrong guess from the next of many attacker addresses, as soon as the lockout allows it:
 * a refused guess waits out its `Retry-After` (the fastest an attacker may go).
 */
function attacker(auth: Auth, clock: ReturnType<typeof fakeClock>, email: string) {
  let sent = 0;
  let checked = 0;
  return {
    get checked() {
      return checked;
    },
    async guess(): Promise<Answer> {
      const from = browser(auth, `203.0.113.${(sent++ % 250) + 1}`);
      const answer = await from.post('/login', { email, password: `guess number ${sent} of many` });
      if (answer.status === 401) checked++;
      else {
        // the lockout's pace, or the account's own sign-in limit (signInIdentifier): both 429
        expect(['account_locked', 'rate_limited']).toContain(answer.body.code);
        clock.advance(Number(answer.headers.get('retry-after')));
      }
      return answer;
    },
  };
}

describe('a lockout the attacker cannot turn against the owner (device cookies)', () => {
  it('lets the owner sign in from their known browser on the first try while an attacker guesses at the maximum allowed rate from other addresses', async () => {
    const { auth, clock } = deployment();
    const { email, laptop } = await ownerWithKnownBrowser(auth);
    const guesses = attacker(auth, clock, email);
    const stranger = browser(auth, '192.0.2.55'); // the owner on a browser that never signed in

    let ownerTries = 0;
    while (guesses.checked < 100) {
      const guess = await guesses.guess();
      // the owner tries just after a guess got through, past the free ones: the worst moment
      if (guess.status !== 401 || guesses.checked <= 5 || guesses.checked % 5 !== 0) continue;
      ownerTries++;
      // at the attacker's pace, the account is locked for unknown clients…
      expect((await stranger.post('/login', { email, password: PASSWORD })).status).toBe(429);
      // …but never for the owner's browser: signed in at the first try, every time
      const signedIn = await laptop.post('/login', { email, password: PASSWORD });
      expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
      laptop.forgetSession();
    }
    expect(ownerTries).toBe(19);
    // NIST's limit holds for the attacker: 100 checked guesses (in about a day), then locked for
    // a day, whatever the owner's own sign-ins did meanwhile
    const locked = await guesses.guess();
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(DAY_SECONDS / 2);
    expect((await laptop.post('/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('sets the device cookie HttpOnly, SameSite=Lax and, on https, Secure with the __Host- prefix', async () => {
    const { auth } = deployment({ baseURL: 'https://app.example.com' });
    const email = uniqueEmail();
    const response = await auth.handler(
      new Request('https://app.example.com/auth/signup', {
        method: 'POST',
        headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(201);
    const device = response.headers.getSetCookie().find((c) => c.startsWith('__Host-device.'));
    expect(device).toMatch(
      /^__Host-device\.portcullis\.session=[A-Za-z0-9_.-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=31536000; Secure$/,
    );
    // it names no email
    expect(device).not.toContain(email.split('@')[0]);
  });

  it('treats a forged, tampered or another account’s device cookie as an unknown browser', async () => {
    const { auth, clock } = deployment();
    const { email, laptop } = await ownerWithKnownBrowser(auth);
    const other = await ownerWithKnownBrowser(auth);
    const guesses = attacker(auth, clock, email);
    for (let i = 0; i < 6; i++) await guesses.guess(); // five free, one through the gate
    const [name, value] = [...laptop.jar].find(([n]) => n.startsWith('device.'))!;
    const [otherName, otherValue] = [...other.laptop.jar].find(([n]) => n.startsWith('device.'))!;
    expect(otherName).toBe(name);

    const parts = value.split('.');
    const tampered = [...parts.slice(0, -1), `${parts.at(-1)!.slice(0, -2)}AA`].join('.');
    for (const cookie of [tampered, otherValue, 'garbage', `${value}.x`]) {
      const attempt = browser(auth, '203.0.113.250');
      attempt.jar.set(name, cookie);
      const answer = await attempt.post('/login', { email, password: PASSWORD });
      expect(answer.status, cookie).toBe(429);
    }
    expect((await laptop.post('/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('a completed password reset clears the password failures and makes the resetting browser a known one', async () => {
    // the lockout's counters are what is under test, not the account's sign-in rate (its own test)
    const { auth, clock, tokenMailedTo } = deployment({
      rateLimit: { rules: { signInIdentifier: { limit: 1000, windowSeconds: 60 } } },
    });
    const { email } = await ownerWithKnownBrowser(auth);
    const guesses = attacker(auth, clock, email);
    for (let i = 0; i < 8; i++) await guesses.guess();
    const phone = browser(auth, '198.51.100.8'); // a browser that never signed in
    expect((await phone.post('/login', { email, password: PASSWORD })).status).toBe(429);

    expect((await phone.post('/password/forgot', { email })).status).toBe(202);
    const token = await tokenMailedTo(email);
    expect((await phone.post('/password/reset', { token, password: NEW_PASSWORD })).status).toBe(200);
    expect([...phone.jar.keys()]).toContain(`device.${auth.config.session.cookieName}`);

    const fresh = browser(auth, '192.0.2.99');
    // the unknown clients' count started over: five free attempts and one through the gate again
    for (let i = 0; i < 6; i++) {
      expect((await fresh.post('/login', { email, password: 'still not the password' })).status).toBe(401);
    }
    expect((await fresh.post('/login', { email, password: NEW_PASSWORD })).status).toBe(429);
    // the resetting browser signs in at once, whatever the attacker does
    await guesses.guess();
    expect((await phone.post('/login', { email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('a magic link clears the password failures', async () => {
    const { auth, clock, storage, tokenMailedTo } = deployment();
    const { email } = await ownerWithKnownBrowser(auth);
    // an owner who proved the address before: a first proof would remove the password instead
    const owner = (await storage.users.findByEmail(null, email))!;
    expect(await storage.users.markEmailVerified(owner.id, owner.email, clock.now())).toBe(true);
    const guesses = attacker(auth, clock, email);
    for (let i = 0; i < 8; i++) await guesses.guess();
    const phone = browser(auth, '198.51.100.8');
    expect((await phone.post('/login', { email, password: PASSWORD })).status).toBe(429);

    expect((await phone.post('/magic-link', { email })).status).toBe(202);
    const token = await tokenMailedTo(email);
    expect((await phone.post('/magic-link/verify', { token })).status).toBe(200);
    phone.forgetSession();

    const fresh = browser(auth, '192.0.2.99');
    expect((await fresh.post('/login', { email, password: PASSWORD })).status).toBe(200);
  });
});
