import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuth } from '../auth.js';
import { silentLogger } from '../ports/logger.js';
import { openConformanceAuth } from './http-administration/conformance-auth.js';
import { ORIGIN } from './http-administration/http-client.js';
import type { StorageConformanceOptions } from './storage-conformance.js';

const PASSWORD = 'correct horse battery staple';
const email = (label: string) => `${label}-${randomBytes(5).toString('hex')}@example.test`;

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field
  body: any;
  cookie: string | null;
}

/**
 * Declares the token-mode HTTP suite: sign-in answering a token pair, `POST /token/refresh`,
 * bearer access tokens on the handler's own routes, and the races that depend on the database —
 * 50 concurrent refreshes of one token give one lineage, a refresh racing a logout never yields a
 * usable token after it, a retry within the grace window gets the same successor, and reuse
 * after it ends that family and its session only. Run it beside `describeStorageConformance` in
 * every adapter × database test file.
 *
 * @example
 * describeTokenModeConformance('kysely + postgres', kyselyConformance(database))
 */
export function describeTokenModeConformance(name: string, options: StorageConformanceOptions): void {
  describe(`token mode over HTTP: ${name}`, () => {
    const world = openConformanceAuth(options);

    /** A request through `auth.handler`; `origin: null` sends none (a native app). */
    async function call(
      method: string,
      path: string,
      body?: unknown,
      headers: { bearer?: string; cookie?: string; origin?: string | null } = {},
    ): Promise<Reply> {
      const sent = new Headers();
      if (headers.origin !== null) sent.set('origin', headers.origin ?? ORIGIN);
      if (headers.bearer) sent.set('authorization', `Bearer ${headers.bearer}`);
      if (headers.cookie) sent.set('cookie', headers.cookie);
      if (body !== undefined) sent.set('content-type', 'application/json');
      const response = await world.auth.handler(
        new Request(`${ORIGIN}/auth${path}`, {
          method,
          headers: sent,
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
        { clientIp: '127.0.0.1' },
      );
      const text = await response.text();
      const setCookie = response.headers
        .getSetCookie()
        .find(
          (c) =>
            c.startsWith(`${world.auth.sessionCookieName}=`) &&
            !c.startsWith(`${world.auth.sessionCookieName}=;`),
        );
      return {
        status: response.status,
        body: text ? JSON.parse(text) : null,
        cookie: setCookie ? (setCookie.split(';')[0] ?? null) : null,
      };
    }

    /** A new account signed in in token mode, from an app that sends no Origin. */
    async function tokenSignIn(address = email('app')) {
      const signedUp = await call('POST', '/signup', { email: address, password: PASSWORD });
      expect(signedUp.status).toBe(201);
      const login = await call(
        'POST',
        '/login',
        { email: address, password: PASSWORD, delivery: 'token' },
        { origin: null },
      );
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect(login.cookie).toBeNull();
      return { address, cookie: signedUp.cookie!, pair: login.body as TokenPairBody };
    }
    const refresh = (refreshToken: string) =>
      call('POST', '/token/refresh', { refresh_token: refreshToken }, { origin: null });
    const sessionOf = (accessToken: string) => call('GET', '/session', undefined, { bearer: accessToken });

    it('signs in with delivery "token": a token pair, no cookie, and the access token works as a bearer', async () => {
      const { pair } = await tokenSignIn();
      expect(pair).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 300,
        refresh_token: expect.stringMatching(/^pc_rt_[A-Za-z0-9_-]{49}$/),
      });
      const current = await sessionOf(pair.access_token);
      expect(current.status).toBe(200);
      expect(current.body.session.amr).toEqual(['pwd']);

      const renewed = await refresh(pair.refresh_token);
      expect(renewed.status).toBe(200);
      expect(renewed.body.refresh_token).not.toBe(pair.refresh_token);
      expect(renewed.body.access_token).not.toBe(pair.access_token);
      expect((await sessionOf(renewed.body.access_token)).body.session.id).toBe(current.body.session.id);
    });

    it('refuses a malformed refresh token and one with a wrong checksum as refresh_token_invalid', async () => {
      const { pair } = await tokenSignIn();
      const flipped = `${pair.refresh_token.slice(0, -1)}${pair.refresh_token.endsWith('A') ? 'B' : 'A'}`;
      for (const token of ['nope', flipped, `${pair.refresh_token}x`]) {
        const res = await refresh(token);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('refresh_token_invalid');
      }
      expect((await call('POST', '/token/refresh', { refresh_token: 42 }, { origin: null })).status).toBe(
        400,
      );
      // still current: nothing above spent it
      expect((await refresh(pair.refresh_token)).status).toBe(200);
    });

    it('gives 50 concurrent refreshes of one token one lineage: one successor, which stays valid', async () => {
      const { pair } = await tokenSignIn();
      const replies = await Promise.all(Array.from({ length: 50 }, () => refresh(pair.refresh_token)));

      const successors = new Set(replies.filter((r) => r.status === 200).map((r) => r.body.refresh_token));
      expect(successors.size).toBe(1);
      // the winner and at most maxGraceReplays (3) retries answered; the others were refused,
      // and none of them revoked anything
      const answered = replies.filter((r) => r.status === 200).length;
      expect(answered).toBeGreaterThanOrEqual(1);
      expect(answered).toBeLessThanOrEqual(4);
      for (const reply of replies.filter((r) => r.status !== 200)) {
        expect(reply.status).toBe(401);
        expect(reply.body.code).toBe('refresh_token_invalid');
      }
      const [successor] = [...successors];
      const next = await refresh(successor);
      expect(next.status).toBe(200);
      expect((await sessionOf(next.body.access_token)).status).toBe(200);
    });

    it('with grace off, rotates for exactly one of 50 concurrent refreshes and treats the others as reuse', async () => {
      const strict = createAuth({
        storage: world.storage,
        secret: 'conformance-secret-0123456789-abcdefghij',
        baseURL: ORIGIN,
        logger: silentLogger,
        rateLimit: { enabled: false },
        outbox: { autoStart: false },
        clock: { now: () => new Date(world.nowMs) },
        refreshTokens: { graceSeconds: 0 },
      });
      try {
        const { pair } = await tokenSignIn();
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, () =>
            strict.api.refreshTokens(pair.refresh_token).then(
              (renewed) => ({ ok: true as const, renewed }),
              (error: { code?: string }) => ({ ok: false as const, code: error.code }),
            ),
          ),
        );
        const rotated = outcomes.filter((o) => o.ok);
        expect(rotated).toHaveLength(1);
        const codes = new Set(outcomes.flatMap((o) => (o.ok ? [] : [o.code])));
        expect(codes.has('refresh_token_reused')).toBe(true);
        expect([...codes].every((c) => c === 'refresh_token_reused' || c === 'refresh_token_invalid')).toBe(
          true,
        );
        // the reuse ended the family, the lone successor included, and its session
        const [winner] = rotated;
        if (!winner?.ok) throw new Error('no rotation');
        expect((await refresh(winner.renewed.refreshToken)).body.code).toBe('refresh_token_invalid');
        expect((await sessionOf(winner.renewed.accessToken)).status).toBe(401);
      } finally {
        await strict.close();
      }
    });

    it('answers a retry within the grace window with the same successor, and reuse after it ends that family and its session only', async () => {
      const { address, pair } = await tokenSignIn();
      const otherDevice = await call('POST', '/login', {
        email: address,
        password: PASSWORD,
        delivery: 'token',
      });
      const browser = await call('POST', '/login', { email: address, password: PASSWORD });

      const first = await refresh(pair.refresh_token);
      world.nowMs += 5_000;
      const retry = await refresh(pair.refresh_token);
      expect(retry.status).toBe(200);
      expect(retry.body.refresh_token).toBe(first.body.refresh_token);
      expect(retry.body.access_token).not.toBe(first.body.access_token);

      world.nowMs += 6_000; // 11 s after the rotation: past the 10 s grace
      const reuse = await refresh(pair.refresh_token);
      expect(reuse.status).toBe(401);
      expect(reuse.body.code).toBe('refresh_token_reused');

      // that family and its session are over
      expect((await refresh(first.body.refresh_token)).body.code).toBe('refresh_token_invalid');
      expect((await sessionOf(first.body.access_token)).status).toBe(401);
      // the user's other device and browser are not
      expect((await sessionOf(otherDevice.body.access_token)).status).toBe(200);
      expect((await refresh(otherDevice.body.refresh_token)).status).toBe(200);
      expect((await call('GET', '/session', undefined, { cookie: browser.cookie! })).status).toBe(200);
    });

    it('never yields a usable token after a logout that a refresh raced', async () => {
      for (let round = 0; round < 5; round++) {
        const { pair } = await tokenSignIn();
        const [renewed, logout] = await Promise.all([
          refresh(pair.refresh_token),
          call('POST', '/logout', undefined, { bearer: pair.access_token, origin: null }),
        ]);
        expect(logout.status).toBe(204);
        // whatever the order, nothing renews or authenticates once the logout has answered
        expect((await refresh(pair.refresh_token)).status).toBe(401);
        expect((await sessionOf(pair.access_token)).status).toBe(401);
        if (renewed.status === 200) {
          expect((await refresh(renewed.body.refresh_token)).status).toBe(401);
          expect((await sessionOf(renewed.body.access_token)).status).toBe(401);
        } else {
          expect(renewed.body.code).toBe('refresh_token_invalid');
        }
      }
    });

    it('takes bearer requests without Origin, and still refuses cookie requests without one', async () => {
      const { pair, cookie } = await tokenSignIn();
      const cookieOnly = await call('POST', '/sessions/revoke-others', undefined, { cookie, origin: null });
      expect(cookieOnly.status).toBe(403);
      expect(cookieOnly.body.code).toBe('csrf_origin_mismatch');
      // a bearer does not excuse the cookie riding along
      const both = await call('POST', '/sessions/revoke-others', undefined, {
        cookie,
        bearer: pair.access_token,
        origin: null,
      });
      expect(both.status).toBe(403);
      expect(both.body.code).toBe('csrf_origin_mismatch');

      const bearer = await call('POST', '/sessions/revoke-others', undefined, {
        bearer: pair.access_token,
        origin: null,
      });
      expect(bearer.status).toBe(200);
      expect(bearer.body.revoked).toBe(1); // the cookie's session, from the sign-up
    });

    it("steps up with a bearer token: POST /reauthenticate records it on the token's session, and the next access token carries it", async () => {
      const { pair } = await tokenSignIn();
      const before = await sessionOf(pair.access_token);
      const wrong = await call(
        'POST',
        '/reauthenticate',
        { password: 'not the password at all' },
        { bearer: pair.access_token, origin: null },
      );
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('invalid_credentials');
      world.nowMs += 5_000;
      const stepUp = await call(
        'POST',
        '/reauthenticate',
        { password: PASSWORD },
        { bearer: pair.access_token, origin: null },
      );
      expect(stepUp.status, JSON.stringify(stepUp.body)).toBe(200);
      expect(stepUp.body.session.id).toBe(before.body.session.id);
      expect(stepUp.body.session.authTime.pwd).toBeGreaterThan(before.body.session.authTime.pwd);
      const renewed = await refresh(pair.refresh_token);
      const claims = JSON.parse(
        Buffer.from(renewed.body.access_token.split('.')[1], 'base64url').toString('utf8'),
      );
      expect(claims.auth_time).toBe(stepUp.body.session.authTime.pwd);
    });
  });
}

interface TokenPairBody {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}
