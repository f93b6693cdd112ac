import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../src/rate-limit/index.js';
import { rateLimitItem as policyItem } from './rate-limit-fields.js';
import { randomSlug, tenantWorld } from './support/tenant-world.js';
import { fakeClock, httpClient, PASSWORD, type TestResponse, testAuth, uniqueEmail } from './support.js';

type Client = ReturnType<typeof testAuth>['client'];

/**
 * How to send one request that a rule counts, over HTTP: `prepare` runs once (its own requests
 * may count against other rules, never against this one), `attempt` is repeated.
 */
interface Exercise {
  route: string;
  prepare?: (client: Client) => Promise<Prepared>;
  attempt: (client: Client, prepared: Prepared | undefined) => Promise<TestResponse>;
}

/** What `prepare` made: a session cookie, and for OAuth exercises an M2M client's Basic credentials. */
interface Prepared {
  cookie: string;
  basic?: string;
}

const signedUp = async (client: Client) => ({ cookie: (await client.signUp(uniqueEmail())).cookie! });

/** A tenant owner and an M2M client of the tenant, created over HTTP. */
async function withM2mClient(client: Client): Promise<Prepared> {
  const { cookie } = await signedUp(client);
  const tenant = await client.post('/tenants', { slug: `t-${Date.now().toString(36)}`, name: 'T' }, cookie);
  const created = await client.post(`/tenants/${tenant.body.id}/clients`, { name: 'Support desk' }, cookie);
  if (created.status !== 201) throw new Error(`client creation failed: ${JSON.stringify(created.body)}`);
  const basic = `Basic ${Buffer.from(`${created.body.id}:${created.body.secret}`).toString('base64')}`;
  return { cookie, basic };
}

const oauthForm = (form: Record<string, string>, authorization?: string) => ({
  rawBody: new URLSearchParams(form).toString(),
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    ...(authorization ? { authorization } : {}),
  },
});
const sameRecipient = uniqueEmail('recipient');
const sameAccount = uniqueEmail('account');

/**
 * Ways to exercise each rule: a route for each place it is applied that HTTP reaches simply.
 * `Partial` on purpose: the test walks the rule table itself, so a rule added there without an
 * entry here (or without being applied) fails at run time, naming the rule.
 */
const EXERCISES: Partial<Record<string, Exercise[]>> = {
  signIn: [
    {
      route: 'POST /login',
      attempt: (client) =>
        client.post('/login', { email: uniqueEmail(), password: 'wrong password but long' }),
    },
    {
      route: 'POST /reauthenticate',
      prepare: signedUp,
      attempt: (client, prepared) =>
        client.post('/reauthenticate', { password: 'wrong password but long' }, prepared!.cookie),
    },
  ],
  signInIdentifier: [
    {
      route: 'POST /login (one account, from anywhere)',
      attempt: (client) => client.post('/login', { email: sameAccount, password: 'wrong password but long' }),
    },
  ],
  signUp: [
    {
      route: 'POST /signup',
      attempt: (client) => client.post('/signup', { email: uniqueEmail(), password: PASSWORD }),
    },
  ],
  passwordChange: [
    {
      route: 'POST /password/change',
      prepare: signedUp,
      attempt: (client, prepared) =>
        client.post(
          '/password/change',
          { currentPassword: 'not the current password', newPassword: 'an entirely new passphrase' },
          prepared!.cookie,
        ),
    },
  ],
  tenantCreate: [
    {
      route: 'POST /tenants',
      prepare: signedUp,
      attempt: (client, prepared) =>
        client.post(
          '/tenants',
          { slug: `t-${uniqueEmail('x').replace(/\W/g, '-')}`.slice(0, 60), name: 'T' },
          prepared!.cookie,
        ),
    },
  ],
  clientAuth: [
    {
      route: 'POST /oauth/token',
      attempt: (client) =>
        client.call('POST', '/oauth/token', {
          rawBody: 'grant_type=client_credentials&client_id=one-client&client_secret=guess',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
    },
  ],
  emailLink: [
    {
      route: 'POST /password/forgot',
      attempt: (client) => client.post('/password/forgot', { email: sameRecipient }),
    },
    {
      route: 'POST /magic-link',
      attempt: (client) => client.post('/magic-link', { email: sameRecipient }),
    },
  ],
  tokenRefresh: [
    {
      route: 'POST /token/refresh',
      // counted before the token is even looked at: guessing costs the same as refreshing
      attempt: (client) => client.post('/token/refresh', { refresh_token: 'pc_rt_not-a-real-token' }),
    },
    {
      route: 'POST /oauth/token (refresh_token)',
      attempt: (client) =>
        client.call(
          'POST',
          '/oauth/token',
          oauthForm({ grant_type: 'refresh_token', refresh_token: 'pc_rt_x', client_id: 'first-party' }),
        ),
    },
  ],
  tokenExchange: [
    {
      route: 'POST /oauth/token (token exchange)',
      prepare: withM2mClient,
      // counted per caller before the subject token is verified
      attempt: (client, prepared) =>
        client.call(
          'POST',
          '/oauth/token',
          oauthForm(
            {
              grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
              subject_token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
              subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
            },
            prepared!.basic,
          ),
        ),
    },
  ],
  invitationLookup: [
    {
      route: 'POST /invitations/preview',
      // counted before the token is looked up: a guess costs what a real token does
      attempt: (client) => client.post('/invitations/preview', { token: 'x'.repeat(43) }),
    },
    {
      route: 'POST /invitations/accept',
      prepare: signedUp,
      attempt: (client, prepared) =>
        client.post('/invitations/accept', { token: 'x'.repeat(43) }, prepared!.cookie),
    },
  ],
};

/** Rules no route applies yet, each with the reason and the test that proves it bites server-side. */
const NOT_ON_HTTP_YET: Partial<Record<string, string>> = {
  // no route of core's handler takes an API key: the app's routes do, through the Express and
  // Next.js guards. Proven over real HTTP in packages/express/test/api-keys.test.ts and
  // server-side in packages/core/test/api-key-limits.test.ts ("limiting key lookups…")
  apiKeyLookup: 'API keys are verified by the framework guards, not by a core route',
};

describe('every configured rate limit bites', () => {
  const LIMIT = 2;
  const ruleNames = Object.keys(DEFAULT_RATE_LIMITS);

  it('has rules to walk', () => {
    expect(ruleNames.length).toBeGreaterThan(0);
  });

  // regression: tenantCreate (20 an hour) was defined but never applied, and POST /tenants took 25 a minute
  it.each(
    ruleNames,
  )('%s: the request over the limit gets 429 with Retry-After and RateLimit headers', async (rule) => {
    const exercises = EXERCISES[rule] ?? [];
    if (exercises.length === 0 && NOT_ON_HTTP_YET[rule]) return;
    if (exercises.length === 0) {
      throw new Error(
        `rule ${rule} is in the rate-limit table but this test cannot exercise it: apply it and add it to EXERCISES`,
      );
    }
    for (const exercise of exercises) {
      // a fixed clock: a real one would let the schedule move on mid-test
      const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10));
      const { client } = testAuth({
        clock,
        rateLimit: { rules: { [rule]: { limit: LIMIT, windowSeconds: 60 } } },
      });
      const prepared = await exercise.prepare?.(client);

      // GCRA, LIMIT per 60 s with a burst of LIMIT: one request's share is 60 / LIMIT seconds
      const share = 60 / LIMIT;
      for (let i = 1; i <= LIMIT; i++) {
        const allowed = await exercise.attempt(client, prepared);
        expect(allowed.status, `${exercise.route} attempt ${i}: ${JSON.stringify(allowed.body)}`).not.toBe(
          429,
        );
        expect(
          policyItem(allowed.headers.get('ratelimit-policy'), rule),
          `${exercise.route} counts against ${rule}`,
        ).toEqual({ q: LIMIT, w: 60 });
        expect(policyItem(allowed.headers.get('ratelimit'), rule), exercise.route).toEqual({
          r: LIMIT - i,
          t: i * share,
          pk: undefined,
        });
      }
      const limited = await exercise.attempt(client, prepared);
      expect(limited.status, `${exercise.route} over the ${rule} limit`).toBe(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(limited.body.type).toBe('https://iana.org/assignments/http-problem-types#quota-exceeded');
      expect(limited.body['violated-policies']).toContain(rule);
      expect(limited.headers.get('retry-after'), exercise.route).toBe(String(share));
      expect(policyItem(limited.headers.get('ratelimit-policy'), rule)).toEqual({ q: LIMIT, w: 60 });
      expect(policyItem(limited.headers.get('ratelimit'), rule)).toEqual({ r: 0, t: 60 });
    }
  });
});

describe('policies as data over HTTP', () => {
  it('counts every route by an `http` policy with its cost, checks all policies, and never announces a shadow one', async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    const { client } = testAuth({
      clock,
      rateLimit: {
        policies: [
          {
            name: 'api',
            operations: ['http'],
            key: 'ip',
            limit: 10,
            periodSeconds: 60,
            cost: { 'POST /login': 4, 'GET /openapi.json': 0 },
          },
          {
            name: 'watch',
            operations: ['http', 'signIn'],
            key: 'ip',
            limit: 1,
            periodSeconds: 60,
            shadow: true,
          },
        ],
      },
    });
    const session = await client.get('/session');
    expect(session.status).toBe(401);
    expect(policyItem(session.headers.get('ratelimit'), 'api')).toEqual({ r: 9, t: 6 });
    const login = () => client.post('/login', { email: uniqueEmail(), password: 'wrong password but long' });
    const first = await login();
    expect(first.status).toBe(401);
    // the route's policy and the operation's default policies, in one list each
    expect(policyItem(first.headers.get('ratelimit'), 'api')).toEqual({ r: 5, t: 30 });
    expect(policyItem(first.headers.get('ratelimit'), 'signIn')).toMatchObject({ r: 19 });
    expect(first.headers.get('ratelimit')).not.toContain('"watch"');
    expect(first.headers.get('ratelimit-policy')).not.toContain('"watch"');
    expect((await login()).status).toBe(401);
    // 9 of 10 spent: a login (4) no longer fits, a session read (1) still does
    const limited = await login();
    expect(limited.status).toBe(429);
    expect(limited.body['violated-policies']).toEqual(['api']);
    expect(limited.headers.get('retry-after')).toBe('18');
    expect((await client.get('/session')).status).toBe(401);
  });
});

// regression: `http` policies were counted before authentication only, so one keyed by `user` or
// `tenant` never applied
describe('http policies keyed by the caller', () => {
  it('counts a `user` policy once the session is known: one user across addresses, not another user, each policy once', async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    const { auth, client } = testAuth({
      clock,
      rateLimit: {
        policies: [
          { name: 'perUser', operations: ['http'], key: 'user', limit: 3, periodSeconds: 60 },
          { name: 'perAddress', operations: ['http'], key: 'ip', limit: 100, periodSeconds: 60 },
        ],
      },
    });
    const alice = await client.signUp(uniqueEmail('alice'));
    const bob = await client.signUp(uniqueEmail('bob'));
    const addresses = ['192.0.2.1', '198.51.100.7', '203.0.113.9'];
    for (const [i, address] of addresses.entries()) {
      const read = await httpClient(auth, address).get('/sessions', alice.cookie);
      expect(read.status).toBe(200);
      // GCRA, 3 a minute: a request's share is 20 s
      expect(policyItem(read.headers.get('ratelimit'), 'perUser')).toEqual({ r: 2 - i, t: (i + 1) * 20 });
      // a new address each time, counted once (not again after authentication)
      expect(policyItem(read.headers.get('ratelimit'), 'perAddress')).toMatchObject({ r: 99 });
    }
    const limited = await httpClient(auth, '192.0.2.77').get('/sessions', alice.cookie);
    expect(limited.status).toBe(429);
    expect(limited.body['violated-policies']).toEqual(['perUser']);
    expect(limited.headers.get('retry-after')).toBe('20');
    // the 429 reports every policy that counted the request
    expect(policyItem(limited.headers.get('ratelimit'), 'perUser')).toEqual({ r: 0, t: 60 });
    expect(policyItem(limited.headers.get('ratelimit'), 'perAddress')).toMatchObject({ r: 99 });

    // another user from the same address has a budget of their own
    const other = await httpClient(auth, '192.0.2.1').get('/sessions', bob.cookie);
    expect(other.status).toBe(200);
    expect(policyItem(other.headers.get('ratelimit'), 'perUser')).toMatchObject({ r: 2 });
    // an unauthenticated request is not counted by it
    const anonymous = await httpClient(auth, '192.0.2.1').get('/sessions');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('ratelimit')).not.toContain('"perUser"');
  });

  it("counts a `tenant` policy on the tenant's routes, spent by its members only", async () => {
    const w = await tenantWorld({
      config: {
        rateLimit: {
          policies: [
            {
              name: 'perTenant',
              operations: ['http'],
              key: 'tenant',
              limit: 3,
              periodSeconds: 60,
              cost: { 'POST /tenants/:tenantId/invitations': 0 },
            },
          ],
        },
      },
    });
    const member = await w.addMember(['member']);
    const outsider = await w.client.signUp(uniqueEmail('outsider'));
    const remaining = (response: TestResponse) =>
      policyItem(response.headers.get('ratelimit'), 'perTenant').r;

    const byOwner = await w.client.get(w.base, w.owner.cookie);
    expect(byOwner.status).toBe(200);
    expect(remaining(byOwner)).toBe(2);
    const byMember = await w.client.get(w.base, member.cookie);
    expect(byMember.status).toBe(200);
    expect(remaining(byMember)).toBe(1);
    // anyone signed in can name the tenant's id: an outsider must not spend its budget
    const probe = await w.client.get(w.base, outsider.cookie);
    expect(probe.status).toBe(404);
    expect(probe.headers.get('ratelimit') ?? '').not.toContain('"perTenant"');
    expect(remaining(await w.client.get(`${w.base}/invitations`, w.owner.cookie))).toBe(0);
    const limited = await w.client.get(w.base, member.cookie);
    expect(limited.status).toBe(429);
    expect(limited.body['violated-policies']).toEqual(['perTenant']);

    // another tenant has its own budget, and a route without a tenant is not counted
    const other = await w.client.post(
      '/tenants',
      { slug: randomSlug('other'), name: 'Other' },
      w.owner.cookie,
    );
    expect(other.status).toBe(201);
    const otherRead = await w.client.get(`/tenants/${other.body.id}`, w.owner.cookie);
    expect(otherRead.status).toBe(200);
    expect(remaining(otherRead)).toBe(2);
    const sessions = await w.client.get('/sessions', w.owner.cookie);
    expect(sessions.status).toBe(200);
    expect(sessions.headers.get('ratelimit') ?? '').not.toContain('"perTenant"');
  });

  it("applies the operator's stored override to a tenant's routes, and only to that tenant's", async () => {
    const w = await tenantWorld({
      config: {
        rateLimit: {
          policies: [{ name: 'perTenant', operations: ['http'], key: 'tenant', limit: 3, periodSeconds: 60 }],
        },
      },
    });
    const other = await w.client.post(
      '/tenants',
      { slug: randomSlug('other'), name: 'Other' },
      w.owner.cookie,
    );
    expect(other.status).toBe(201);
    await w.auth.api.setRateLimitOverride(w.tenantId, { policy: 'perTenant', limit: 50, periodSeconds: 10 });

    const raised = await w.client.get(w.base, w.owner.cookie);
    expect(raised.status).toBe(200);
    expect(policyItem(raised.headers.get('ratelimit-policy'), 'perTenant')).toEqual({ q: 50, w: 10 });
    expect(policyItem(raised.headers.get('ratelimit'), 'perTenant')).toMatchObject({ r: 49 });
    const unchanged = await w.client.get(`/tenants/${other.body.id}`, w.owner.cookie);
    expect(policyItem(unchanged.headers.get('ratelimit-policy'), 'perTenant')).toEqual({ q: 3, w: 60 });

    await w.auth.api.removeRateLimitOverride(w.tenantId, { policy: 'perTenant' });
    const restored = await w.client.get(w.base, w.owner.cookie);
    expect(policyItem(restored.headers.get('ratelimit-policy'), 'perTenant')).toEqual({ q: 3, w: 60 });
  });
});
