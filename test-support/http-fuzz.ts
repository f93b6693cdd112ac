import { randomBytes } from 'node:crypto';
import {
  AUTH_ERROR_CODES,
  type Auth,
  createAuth,
  oidcProvider,
  type Storage,
  silentLogger,
} from '@portcullis/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdentityProvider, type TestIdentityProvider } from './oidc-identity-provider.js';

// The HTTP surface fuzzed from its own OpenAPI document (DESIGN §4.6: bad input gets a
// problem+json error with a stable code, never a 500, and nothing half-written remains). Every
// route of `auth.openApiDocument()` gets requests whose bodies, path parameters and queries are
// drawn from the document's schemas, mixed with hostile values (NUL and other control characters,
// lone surrogates, Unicode that grows when lower-cased, wrong types, huge numbers, deep nesting,
// prototype keys), sent by a signed-in owner of a tenant so that authorized routes are reached.
// Each adapter × database test file runs it with its own storage and a row counter.

/** The storage a fuzz run writes to, and how to count its rows (per table) between requests. */
export interface FuzzStorage {
  storage: Storage;
  /** Rows per table; a failed request must leave every count as it was. */
  countRows(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface HttpFuzzOptions {
  /** Requests in all, spread evenly over the routes (at least one per route). Default 2,000. */
  requests?: number;
  /** The fast-check seed; `PORTCULLIS_FUZZ_SEED` overrides it, so a failure can be replayed. */
  seed?: number;
}

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'fuzzing horse battery staple';
const KNOWN_CODES: ReadonlySet<string> = new Set(AUTH_ERROR_CODES);

/**
 * Tables a failed request may change on purpose. Credential failures are counted outside the
 * request's transaction (a wrong password or code counts whatever else fails; a proven one clears
 * the count even when, say, the new password is then refused by the policy).
 */
const WRITES_ON_FAILURE: ReadonlySet<string> = new Set(['credential_failures']);

interface World {
  email: string;
  userId: string;
  cookie: string;
  sessionId: string;
  tenantId: string;
  tenantSlug: string;
  roleId: string;
  policyId: string;
  invitationId: string;
  otherUserId: string;
}

interface FuzzRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** `undefined`: no body; a string: sent as it is (raw JSON text or garbage). */
  body: unknown;
  raw: boolean;
  contentType: string;
  signedIn: boolean;
  userAgent: string;
}

/**
 * Declares a fuzz run over every route on `open()`'s storage.
 *
 * @example
 * describeHttpFuzz(`kysely + ${db.name}`, () => fuzzStorageOn(db))
 */
export function describeHttpFuzz(
  name: string,
  open: () => Promise<FuzzStorage>,
  options: HttpFuzzOptions = {},
): void {
  describe(`HTTP fuzz on ${name}`, () => {
    let target: FuzzStorage;
    let auth: Auth;
    let idp: TestIdentityProvider;
    let world: World;
    let worlds = 0;

    beforeAll(async () => {
      idp = await startTestIdentityProvider({ redirectUris: [`${ORIGIN}/auth/oauth/acme/callback`] });
      target = await open();
      auth = createAuth({
        storage: target.storage,
        secret: 'test-secret-0123456789-abcdefghijklmnop',
        baseURL: ORIGIN,
        logger: silentLogger,
        outbox: { autoStart: false },
        mailer: { send: async () => {} },
        // limits would answer 429 before the input reaches the code under test
        rateLimit: { enabled: false },
        oauth: {
          providers: {
            acme: oidcProvider({
              issuer: idp.issuer,
              clientId: idp.clientId,
              clientSecret: idp.clientSecret,
            }),
          },
        },
      });
      world = await buildWorld();
    });
    afterAll(async () => {
      await auth?.close();
      await target?.close();
      await idp?.close();
    });

    async function send(request: FuzzRequest, cookie: string | null): Promise<Response> {
      const headers = new Headers({ origin: ORIGIN, 'user-agent': request.userAgent });
      if (cookie) headers.set('cookie', cookie);
      let body: string | undefined;
      if (request.body !== undefined) {
        body = request.raw ? String(request.body) : JSON.stringify(request.body);
        headers.set('content-type', request.contentType);
      }
      const search = new URLSearchParams(request.query).toString();
      const url = `${ORIGIN}/auth${request.path}${search ? `?${search}` : ''}`;
      return auth.handler(new Request(url, { method: request.method, headers, body }), {
        clientIp: '203.0.113.9',
      });
    }

    async function call(method: string, path: string, body: unknown, cookie: string | null) {
      const response = await send(
        {
          method,
          path,
          query: {},
          body,
          raw: false,
          contentType: 'application/json',
          signedIn: true,
          userAgent: 'portcullis-fuzz',
        },
        cookie,
      );
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null, response };
    }

    /** A fresh owner with a tenant, a custom role, a policy, an invitation and a second member. */
    async function buildWorld(): Promise<World> {
      const tag = `${++worlds}-${randomBytes(4).toString('hex')}`;
      const email = `fuzz-${tag}@example.com`;
      const signUp = await call('POST', '/signup', { email, password: PASSWORD, name: 'Fuzz' }, null);
      if (signUp.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(signUp.body)}`);
      const setCookie = signUp.response.headers
        .getSetCookie()
        .find((c) => c.startsWith(auth.sessionCookieName));
      if (!setCookie) throw new Error('sign-up set no session cookie');
      const cookie = setCookie.split(';')[0]!;
      const tenant = await call('POST', '/tenants', { slug: `fuzz-${tag}`, name: 'Fuzz Inc' }, cookie);
      const tenantId = tenant.body.id as string;
      const role = await call(
        'POST',
        `/tenants/${tenantId}/roles`,
        { key: 'editor', name: 'Editor', permissions: ['doc.*'] },
        cookie,
      );
      const policy = await call(
        'POST',
        `/tenants/${tenantId}/policies`,
        { effect: 'allow', actions: ['doc.read'], resource: 'doc', description: 'readers' },
        cookie,
      );
      const invitation = await call(
        'POST',
        `/tenants/${tenantId}/invitations`,
        { roles: ['member'] },
        cookie,
      );
      const other = await auth.api.createUser({ email: `other-${tag}@example.com` });
      for (const step of [tenant, role, policy, invitation])
        if (step.status !== 201) throw new Error(`world set-up failed: ${JSON.stringify(step.body)}`);
      return {
        email,
        userId: signUp.body.user.id,
        cookie,
        sessionId: signUp.body.session.id,
        tenantId,
        tenantSlug: tenant.body.slug,
        roleId: role.body.id,
        policyId: policy.body.id,
        invitationId: invitation.body.invitation?.id ?? invitation.body.id,
        otherUserId: other.id,
      };
    }

    /**
     * After a successful request: whether the fuzzer can go on as it was (signed in, owner of an
     * active tenant). A lost session (a sign-out, a revocation) is replaced by signing in again,
     * which is cheaper than a new world; anything else (a suspended tenant, a lost role, a deny
     * policy) needs a new world.
     */
    async function repairWorld(): Promise<void> {
      const token = decodeURIComponent(world.cookie.split('=')[1]!);
      if (!(await auth.api.validateSessionToken(token))) {
        const signedIn = await auth.api.signIn({ email: world.email, password: PASSWORD }).catch(() => null);
        if (!signedIn || !('token' in signedIn)) {
          world = await buildWorld();
          return;
        }
        world = {
          ...world,
          cookie: `${auth.sessionCookieName}=${encodeURIComponent(signedIn.token)}`,
          sessionId: signedIn.session.id,
        };
      }
      const decision = await call(
        'POST',
        `/tenants/${world.tenantId}/authorize`,
        { action: 'role.update' },
        world.cookie,
      );
      const tenant = await call('GET', `/tenants/${world.tenantId}`, undefined, world.cookie);
      if (decision.body?.allowed !== true || tenant.body?.status !== 'active') world = await buildWorld();
    }

    // Regression (issue 14): each of these answered 500 on PostgreSQL, which refuses NUL in text
    // and an email longer than its column once lower-cased (200 × `İ` is 400 characters then).
    it.each([
      [
        'a NUL in an email on the unauthenticated password reset',
        'POST',
        '/password/forgot',
        { email: 'a\u0000b@example.com' },
        false,
        'email',
      ],
      [
        'a NUL in an email on magic links',
        'POST',
        '/magic-link',
        { email: 'a\u0000b@example.com' },
        false,
        'email',
      ],
      [
        'an email that outgrows its column when lower-cased',
        'POST',
        '/signup',
        { email: `${'İ'.repeat(200)}@example.com`, password: PASSWORD },
        false,
        'email',
      ],
      [
        'a NUL in a name at sign-up',
        'POST',
        '/signup',
        { email: 'nul-name@example.com', password: PASSWORD, name: 'a\u0000b' },
        false,
        'name',
      ],
      [
        'a NUL in the tenant of a sign-in',
        'POST',
        '/login',
        { email: 'nobody@example.com', password: PASSWORD, tenant: 'a\u0000b' },
        false,
        'tenant',
      ],
      ['a NUL in a tenant name', 'POST', '/tenants', { slug: 'nul-name', name: 'A\u0000B' }, true, 'name'],
      [
        'a line break in a tenant name',
        'POST',
        '/tenants',
        { slug: 'crlf-name', name: 'Acme\r\nBcc: x@example.com' },
        true,
        'name',
      ],
      [
        'a NUL in a metadata key',
        'POST',
        '/tenants',
        { slug: 'nul-key', name: 'A', metadata: { 'k\u0000': 'v' } },
        true,
        'metadata.k',
      ],
      [
        'an unpaired surrogate in a role name',
        'POST',
        '/tenants/{tenantId}/roles',
        { key: 'sur', name: 'a\ud800', permissions: [] },
        true,
        'name',
      ],
      [
        'a C1 control in a policy description',
        'POST',
        '/tenants/{tenantId}/policies',
        { effect: 'allow', actions: ['doc.read'], resource: 'doc', description: 'a\u0085b' },
        true,
        'description',
      ],
    ])('answers %s with a 400 (or 422 invalid_policy) naming the field, and writes nothing', async (_, method, path, body, signedIn, field) => {
      const before = await target.countRows();
      const response = await send(
        {
          method,
          path: path.replace('{tenantId}', world.tenantId),
          query: {},
          body,
          raw: false,
          contentType: 'application/json',
          signedIn,
          userAgent: 'portcullis-fuzz',
        },
        signedIn ? world.cookie : null,
      );
      const problem = await response.json();
      // 422 for a policy: its body is refused as `invalid_policy`, whatever is wrong with it
      expect(response.status, JSON.stringify(problem)).toBe(problem.code === 'invalid_policy' ? 422 : 400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(problem.code).toMatch(/^invalid_(request|policy)$/);
      expect(problem.issues.map((issue: { path: string }) => issue.path)).toContain(field);
      expect(await target.countRows()).toEqual(before);
    });

    it('answers a NUL in a path id as a 4xx, never a database error', async () => {
      for (const path of [`/tenants/a%00b`, `/tenants/${world.tenantId}/roles/%00`, '/passkeys/%C2%85']) {
        const response = await send(
          {
            method: 'GET',
            path,
            query: {},
            body: undefined,
            raw: false,
            contentType: '',
            signedIn: true,
            userAgent: 'x',
          },
          world.cookie,
        );
        expect(response.status, path).toBeGreaterThanOrEqual(400);
        expect(response.status, path).toBeLessThan(500);
      }
    });

    it('stores a user agent full of control characters cleaned and cut, instead of failing the sign-in', async () => {
      const response = await send(
        {
          method: 'POST',
          path: '/login',
          query: {},
          body: { email: world.email, password: PASSWORD },
          raw: false,
          contentType: 'application/json',
          signedIn: false,
          userAgent: `Mozilla\u0001/5.0\u0085 ${'x'.repeat(2_000)}`,
        },
        null,
      );
      expect(response.status).toBe(200);
      const { session } = await response.json();
      const sessions = await call('GET', '/sessions', undefined, world.cookie);
      const stored = sessions.body.items.find((s: { id: string }) => s.id === session.id);
      expect(stored.userAgent).toMatch(/^Mozilla \/5\.0 x+$/);
      expect(stored.userAgent).toHaveLength(512);
    });

    it('answers every route with a 2xx/3xx or a problem+json 4xx with a known code, never a 5xx, and writes nothing on failure', async () => {
      const document = auth.openApiDocument() as unknown as OpenApiDocument;
      const operations = listOperations(document);
      const total = options.requests ?? 2_000;
      const perRoute = Math.max(1, Math.ceil(total / operations.length));
      const seed = Number(process.env.PORTCULLIS_FUZZ_SEED ?? options.seed ?? Date.now() % 2 ** 31);
      const failures: string[] = [];
      let sent = 0;
      for (const [index, operation] of operations.entries()) {
        const samples = fc.sample(
          requestArbitrary(document, operation, () => world),
          {
            numRuns: perRoute,
            seed: seed + index,
          },
        );
        for (const draw of samples) {
          const request = draw();
          // mail routes answer before their writes (no timing oracle): let an earlier request's
          // writes land first, so they are not counted against this one
          await auth.outbox.dispatchOnce();
          const before = await target.countRows();
          const response = await send(request, request.signedIn ? world.cookie : null);
          sent++;
          const text = await response.text();
          const problem = checkResponse(response, text, request.path);
          const where = `${request.method} ${request.path} ${JSON.stringify(request.query)} ${describeBody(request)}`;
          if (problem) failures.push(`${problem}: ${where} → ${response.status} ${text.slice(0, 300)}`);
          if (response.status >= 400) {
            await auth.outbox.dispatchOnce();
            const after = await target.countRows();
            const code = safeCode(text);
            for (const table of Object.keys(after)) {
              if (after[table] !== before[table] && !WRITES_ON_FAILURE.has(table))
                failures.push(
                  `half-written ${table} (${before[table]} → ${after[table]}) on ${response.status} ${code}: ${where}`,
                );
            }
          } else if (request.method !== 'GET') {
            await repairWorld();
          }
        }
      }
      expect(sent).toBeGreaterThanOrEqual(total);
      expect(failures, `seed ${seed} (set PORTCULLIS_FUZZ_SEED to replay)`).toEqual([]);
    }, 600_000);
  });
}

/**
 * The OAuth endpoints answer their errors as RFC 6749 §5.2 bodies `{ error, error_description }`
 * (application/json), not problem+json; the code is `error`.
 */
const OAUTH_ENDPOINTS = new Set(['/oauth/token', '/oauth/introspect', '/oauth/revoke']);

/** What is wrong with a response, or null. */
function checkResponse(response: Response, text: string, path: string): string | null {
  if (response.status >= 500) return `server error ${response.status}`;
  if (response.status < 400) return null;
  const type = response.headers.get('content-type') ?? '';
  if (OAUTH_ENDPOINTS.has(path) && type.startsWith('application/json')) {
    let error = '(no JSON)';
    try {
      error = String((JSON.parse(text) as { error?: unknown }).error);
    } catch {}
    return KNOWN_CODES.has(error) ? null : `OAuth 4xx with an unknown error "${error}"`;
  }
  if (!type.startsWith('application/problem+json')) return `4xx without problem+json (${type})`;
  const code = safeCode(text);
  if (!KNOWN_CODES.has(code)) return `4xx with an unknown code "${code}"`;
  return null;
}

function safeCode(text: string): string {
  try {
    return String((JSON.parse(text) as { code?: unknown }).code);
  } catch {
    return '(no JSON)';
  }
}

function describeBody(request: FuzzRequest): string {
  if (request.body === undefined) return '(no body)';
  const text = request.raw ? String(request.body) : JSON.stringify(request.body);
  return (text ?? 'undefined').slice(0, 300);
}

// ——— the OpenAPI document, as far as the fuzzer reads it ———

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema is walked structurally
type JsonSchema = Record<string, any>;

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: 'path' | 'query'; required?: boolean; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

interface Operation {
  method: string;
  path: string;
  spec: OpenApiOperation;
}

function listOperations(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
  );
}

function resolve(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 20; hops++) {
    const name = String(current.$ref).replace('#/components/schemas/', '');
    current = document.components?.schemas?.[name] ?? {};
  }
  return current ?? {};
}

// ——— values ———

// deeper nesting is sent as raw text (below): building and serializing it here would overflow
const DEEP_ARRAY = JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`);
const DEEP_TEXT = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
const PROTO_OBJECT = JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}');

/** Strings that have broken parsers, databases or headers somewhere. */
const HOSTILE_STRINGS = [
  '\u0000',
  'fuzz\u0000@example.com',
  `${'İ'.repeat(200)}@example.com`,
  `${'İ'.repeat(120)}`,
  `${'ﷺ'.repeat(40)}@example.com`,
  'Acme\r\nBcc: victim@example.com',
  '\u0001\u0002\u001b[31m',
  '\u007f\u0085\u009f',
  '\ud800',
  'a\udfffb@example.com',
  '\u202egnp.exe',
  '\ufeff',
  '🦄'.repeat(300),
  'x'.repeat(5_000),
  '__proto__',
  'constructor',
  "' OR 1=1 --",
  '%00',
  '../../etc/passwd',
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  ' ',
  '',
];

/** One character no input may hold, or one that changes a string's length when normalized. */
const hostileCharacter = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u001b',
  '\r\n',
  '\u007f',
  '\u0085',
  '\ud800',
  '\udc00',
  'İ',
  'ﷺ',
);

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    1.5,
    [],
    {},
    [null],
    DEEP_ARRAY,
    PROTO_OBJECT,
    { $ref: '#/x' },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

const WORLD_REF = '\u{f8ff}world:';

/** A drawn value with its world references replaced by the world's current values. */
function resolveWorld(value: unknown, world: World): unknown {
  if (typeof value === 'string' && value.startsWith(WORLD_REF)) {
    const [name, index] = value.slice(WORLD_REF.length).split(':') as [string, string];
    const values = worldValues(world, name);
    return values[Number(index) % values.length];
  }
  if (Array.isArray(value)) return value.map((item) => resolveWorld(item, world));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty keeps a `__proto__` key an own property, as JSON.parse made it
      Object.defineProperty(copy, key, {
        value: resolveWorld(item, world),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return value;
}

/** Real values the world holds, by the field or parameter name that takes them. */
function worldValues(world: World, name: string): string[] {
  switch (name) {
    case 'tenantId':
      return [world.tenantId, world.tenantSlug];
    case 'tenant':
      return [world.tenantSlug, world.tenantId];
    case 'roleId':
      return [world.roleId];
    case 'policyId':
      return [world.policyId];
    case 'userId':
      return [world.otherUserId, world.userId];
    case 'sessionId':
      return [world.sessionId];
    case 'id':
      return [world.invitationId, world.roleId];
    case 'provider':
      return ['acme', 'nope'];
    case 'email':
      return [world.email, 'someone-else@example.com'];
    case 'password':
    case 'currentPassword':
      return [PASSWORD];
    case 'key':
      return ['editor', 'member', 'owner'];
    case 'action':
      return ['doc.read', 'role.update', 'tenant.delete'];
    default:
      return [];
  }
}

function stringArbitrary(schema: JsonSchema, name: string, world: () => World): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 60, 300);
  const choices: Array<fc.WeightedArbitrary<string>> = [
    { weight: 2, arbitrary: fc.string({ minLength: Math.min(minLength, maxLength), maxLength }) },
    { weight: 3, arbitrary: hostileString },
  ];
  if (schema.pattern) {
    try {
      choices.push({ weight: 3, arbitrary: fc.stringMatching(new RegExp(schema.pattern)) });
    } catch {
      // a pattern JavaScript cannot compile is left to the other choices
    }
  }
  if (/email/i.test(name) || schema.format === 'email')
    choices.push({
      weight: 3,
      arbitrary: fc.emailAddress().map((e) => e.slice(0, 254)),
    });
  if (worldValues(world(), name).length > 0)
    // a reference, resolved when the request is sent: the world may be rebuilt in between
    choices.push({ weight: 5, arbitrary: fc.nat(3).map((i) => `${WORLD_REF}${name}:${i}`) });
  const valid = fc.oneof(...choices);
  // a valid-looking value with one bad character in it passes every check but the right one
  const corrupted = fc
    .tuple(valid, hostileCharacter, fc.nat())
    .map(([text, bad, at]) => (text.startsWith(WORLD_REF) ? `${bad}${text}` : insertAt(text, bad, at)));
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: corrupted });
}

function insertAt(text: string, insert: string, at: number): string {
  const index = at % (text.length + 1);
  return text.slice(0, index) + insert + text.slice(index);
}

/** Values for a JSON Schema, valid ones weighted above hostile ones. */
function valueArbitrary(
  document: OpenApiDocument,
  raw: JsonSchema,
  name: string,
  world: () => World,
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolve(document, raw);
  return fc.oneof(
    { weight: 5, arbitrary: typedArbitrary(document, schema, name, world, depth) },
    { weight: 1, arbitrary: hostileValue },
  );
}

function typedArbitrary(
  document: OpenApiDocument,
  schema: JsonSchema,
  name: string,
  world: () => World,
  depth: number,
): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant(null);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(
      ...alternatives.map((s: JsonSchema) =>
        typedArbitrary(document, resolve(document, s), name, world, depth),
      ),
    );
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema, name, world);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueArbitrary(document, schema.items ?? {}, name, world, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
      });
    case 'object': {
      const properties: Record<string, JsonSchema> = schema.properties ?? {};
      const required: string[] = schema.required ?? [];
      const record = fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([key, child]) => [
            key,
            valueArbitrary(document, child, key, world, depth + 1),
          ]),
        ),
        { requiredKeys: required.filter((key) => key in properties) },
      );
      if (schema.additionalProperties === false) return record;
      return fc
        .tuple(
          record,
          fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), hostileString), hostileValue, { maxKeys: 3 }),
        )
        .map(([known, extra]) => ({ ...extra, ...known }));
    }
    default:
      // an unconstrained value (a policy condition, free-form JSON)
      return fc.oneof(fc.jsonValue({ maxDepth: 4 }), hostileValue);
  }
}

/** Percent-encodes a segment; a lone surrogate is sent as the bytes a sloppy encoder makes of it. */
function encodePathSegment(value: string): string {
  return value.replace(/[\s\S]/gu, (char) => {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff)
      return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    return encodeURIComponent(char);
  });
}

/** One request to `operation`, drawn lazily so that world ids are read when it is sent. */
function requestArbitrary(
  document: OpenApiDocument,
  operation: Operation,
  world: () => World,
): fc.Arbitrary<() => FuzzRequest> {
  const parameters = operation.spec.parameters ?? [];
  const pathParameters = parameters.filter((p) => p.in === 'path');
  const queryParameters = parameters.filter((p) => p.in === 'query');
  const bodySchema = operation.spec.requestBody?.content['application/json']?.schema;

  const pathValues = fc.tuple(
    ...pathParameters.map((p) => valueArbitrary(document, p.schema, p.name, world)),
  );
  const queryValues = fc.record(
    Object.fromEntries(
      queryParameters.map((p) => [p.name, valueArbitrary(document, p.schema, p.name, world)]),
    ),
    { requiredKeys: [] },
  );
  const body: fc.Arbitrary<{ value: unknown; raw: boolean }> = bodySchema
    ? fc.oneof(
        {
          weight: 8,
          arbitrary: valueArbitrary(document, bodySchema, '', world).map((value) => ({ value, raw: false })),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              '{',
              '{"a":',
              'null',
              '"\u0000"',
              '[]',
              '1e999',
              '\u0000',
              '{"email":"\\u0000"}',
              DEEP_TEXT,
            )
            .map((value) => ({ value, raw: true })),
        },
      )
    : fc.oneof(
        { weight: 6, arbitrary: fc.constant({ value: undefined, raw: false }) },
        { weight: 1, arbitrary: hostileValue.map((value) => ({ value, raw: false })) },
      );
  return fc
    .record({
      pathValues,
      queryValues,
      body,
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/merge-patch+json; charset=utf-8',
      ),
      signedIn: fc.nat(9).map((n) => n < 9),
      // a header value is a byte string without NUL, CR or LF; anything else may come
      userAgent: fc.constantFrom(
        'portcullis-fuzz',
        'portcullis-fuzz',
        '\u0001\u007f\u0085\u00ff',
        'x'.repeat(10_000),
      ),
    })
    .map(
      ({ pathValues: values, queryValues: query, body: drawn, contentType, signedIn, userAgent }) =>
        () => {
          const current = world();
          let index = 0;
          const path = operation.path.replace(/\{[^}]+\}/g, () => {
            const value = resolveWorld(values[index++], current);
            return encodePathSegment(
              typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'),
            );
          });
          const resolvedQuery = Object.fromEntries(
            Object.entries(query)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => [k, resolveWorld(v, current)])
              .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
          );
          // GET and HEAD requests cannot carry a body
          const body =
            operation.method === 'GET'
              ? undefined
              : drawn.raw
                ? drawn.value
                : resolveWorld(drawn.value, current);
          return {
            method: operation.method,
            path,
            query: resolvedQuery,
            body,
            raw: drawn.raw,
            contentType,
            signedIn,
            userAgent,
          };
        },
    );
}
