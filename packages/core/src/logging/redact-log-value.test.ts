import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../api-keys/api-key-format.js';
import { generateToken } from '../crypto/random.js';
import { generateRefreshToken } from '../tokens/refresh-token-format.js';
import { createLogRedactor, REDACTED, redactLogString } from './redact-log-value.js';

const sessionToken = 'Qm9yaW5nQnV0UmFuZG9tRW5vdWdoVG9rZW5GaWxsZXIx'.slice(0, 43);
const jwt = 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLWJ5dGVz';
const apiKey = 'pc_live_0123456789abcdefghijklmnopqrstuvwABCDEF';
const refresh = 'pc_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-123456';

describe('redactLogString', () => {
  it.each([
    [
      'a session token in a URL path',
      `GET /auth/sessions/${sessionToken} 200`,
      `GET /auth/sessions/${REDACTED} 200`,
    ],
    [
      'an email-link token in a query string',
      'https://app.test/verify?token=abc&next=/',
      `https://app.test/verify?token=${REDACTED}&next=/`,
    ],
    [
      'an OAuth code and state',
      '/callback?code=xyz&state=s1#top',
      `/callback?code=${REDACTED}&state=${REDACTED}#top`,
    ],
    [
      'a bearer header copied into a message',
      'sent Authorization: Bearer abc.def-ghi',
      `sent Authorization: Bearer ${REDACTED}`,
    ],
    ['a basic header', 'authorization: basic dXNlcjpwYXNz', `authorization: basic ${REDACTED}`],
    ['a JWT inside an error message', `invalid token ${jwt}: expired`, `invalid token ${REDACTED}: expired`],
    ['an unsigned JWT', `t=${'eyJhbGciOiJub25lIn0'}.eyJhIjoxfQ.`, `t=${REDACTED}`],
    ['an API key', `key ${apiKey} revoked`, `key pc_live_${REDACTED} revoked`],
    [
      'an API key with another prefix',
      'acme_test_0123456789abcdefghijklmnopqrstuvwABCDEF.',
      `acme_test_${REDACTED}.`,
    ],
    ['a refresh token', `reused ${refresh}`, `reused pc_rt_${REDACTED}`],
    [
      'a webhook secret',
      'secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, rotated',
      `secret whsec_${REDACTED}, rotated`,
    ],
    ['CR and LF (no forged lines)', 'user\r\n{"level":"info"}', 'user\\r\\n{"level":"info"}'],
    ['ANSI escapes', '\u001b[31mred\u001b[0m and \u009b2J', '\\x1b[31mred\\x1b[0m and \\x9b2J'],
    ['Unicode line separators', 'a\u2028b', 'a\\u2028b'],
  ])('scrubs %s', (_name, input, output) => {
    expect(redactLogString(input)).toBe(output);
  });

  it.each([
    ['a UUID (ids are not secrets)', 'user 0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b'],
    ['a SHA-256 hex digest', 'a'.repeat(64)],
    ['a tab', 'a\tb'],
    ['an error code', 'code=invalid_credentials'.replace('code=', 'error: ')],
    ['a display start of a key', 'pc_live_abcd…WXYZ'],
  ])('keeps %s', (_name, input) => {
    expect(redactLogString(input)).toBe(input);
  });
});

describe('createLogRedactor', () => {
  const redact = createLogRedactor({ redactFields: ['phone', 'billing.iban'] });

  it('replaces secret fields at any depth, whatever their case or separators', () => {
    expect(
      redact({
        password: 'hunter2',
        headers: { Authorization: 'x', 'Set-Cookie': 'y', cookie: 'z', 'x-api-key': 'k' },
        body: { refresh_token: 'r', refreshToken: 'r', client_secret: 's', nested: [{ newPassword: 'p' }] },
        phone: '+33 6',
        billing: { iban: 'FR76', country: 'FR' },
        other: { iban: 'kept: the path is billing.iban' },
      }),
    ).toEqual({
      password: REDACTED,
      headers: { Authorization: REDACTED, 'Set-Cookie': REDACTED, cookie: REDACTED, 'x-api-key': REDACTED },
      body: {
        refresh_token: REDACTED,
        refreshToken: REDACTED,
        client_secret: REDACTED,
        nested: [{ newPassword: REDACTED }],
      },
      phone: REDACTED,
      billing: { iban: REDACTED, country: 'FR' },
      other: { iban: 'kept: the path is billing.iban' },
    });
  });

  it('describes errors, with secrets in their message, stack and cause scrubbed', () => {
    const error = new Error(`fetch https://idp.test/cb?code=c1 failed`, { cause: new Error(`bad ${jwt}`) });
    const out = redact({ error }) as {
      error: { message: string; stack: string; cause: { message: string } };
    };
    expect(out.error.message).toBe(`fetch https://idp.test/cb?code=${REDACTED} failed`);
    expect(out.error.stack).not.toContain('code=c1');
    expect(out.error.cause.message).toBe(`bad ${REDACTED}`);
  });

  it('scrubs keys, cuts cycles and depth, and never lets `__proto__` reach the prototype', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 20; i++) deep = { deep };
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}');
    const out = redact({ [sessionToken]: 1, cyclic, deep, hostile }) as Record<
      string,
      Record<string, unknown>
    >;
    expect(Object.keys(out)).toEqual([REDACTED, 'cyclic', 'deep', 'hostile']);
    expect(out.cyclic).toEqual({ a: 1, self: '[circular]' });
    expect(JSON.stringify(out.deep)).toContain('[truncated]');
    expect(Object.getPrototypeOf(out.hostile)).toBe(Object.prototype);
    expect(Object.hasOwn(out.hostile as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('turns values JSON cannot hold into text and never throws on a hostile getter', () => {
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(redact({ n: 10n, at: new Date(0), bytes: new Uint8Array(4), hostile })).toEqual({
      n: '10',
      at: '1970-01-01T00:00:00.000Z',
      bytes: '[binary]',
      hostile: { boom: '[unreadable]' },
    });
  });
});

// What surrounds a token in real text: anything, then a character that ends a token in a URL,
// a header, JSON or a sentence (a token glued to letters is one longer word, not this token).
const separators = fc.constantFrom(
  ' ',
  '/',
  '=',
  '?',
  '&',
  '"',
  "'",
  ':',
  ',',
  '.',
  '\n',
  '(',
  ')',
  '<',
  '>',
);
const text = fc.string({ maxLength: 40 });
const base64url = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((bytes) => Buffer.from(bytes).toString('base64url'));
const name = fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/);

/** Each kind of secret, with the part that must never appear in a log line. */
const secrets = fc.oneof(
  fc
    .nat()
    .map(() => generateToken(32))
    .map((token) => ({ kind: 'session', token, secret: token })),
  fc
    .nat()
    .map(() => generateRefreshToken())
    .map((token) => ({ kind: 'refresh', token, secret: token.slice(6) })),
  fc
    .tuple(name, name)
    .map(([prefix, environment]) => generateApiKey(prefix, environment))
    .map((token) => ({ kind: 'api key', token, secret: token.slice(-39) })),
  fc
    .uint8Array({ minLength: 24, maxLength: 64 })
    .map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`)
    .map((token) => ({ kind: 'webhook secret', token, secret: token.slice(6) })),
  fc
    // a JOSE header always names its algorithm, so it always begins `{"`
    .tuple(
      fc.record({ alg: fc.constantFrom('EdDSA', 'ES256', 'RS256', 'none') }),
      fc.object(),
      base64url(32, 64),
    )
    .map(([header, payload, signature]) =>
      [header, payload]
        .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
        .concat(signature)
        .join('.'),
    )
    .map((token) => ({ kind: 'jwt', token, secret: token.split('.')[2] as string })),
  base64url(16, 64).map((credential) => ({
    kind: 'bearer',
    token: `Bearer ${credential}`,
    secret: credential,
  })),
);

describe('no generated secret survives redaction (property)', () => {
  it('inside arbitrary text', () => {
    fc.assert(
      fc.property(
        text,
        separators,
        secrets,
        separators,
        text,
        (before, open, { secret, token }, close, after) => {
          expect(redactLogString(`${before}${open}${token}${close}${after}`)).not.toContain(secret);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('inside nested objects, arrays, keys and errors', () => {
    const placed = fc
      .tuple(text, separators, secrets, separators, text)
      .map(([before, open, s, close, after]) => ({
        ...s,
        line: `${before}${open}${s.token}${close}${after}`,
      }));
    const containers = fc.array(fc.constantFrom('object', 'array', 'key', 'error'), { maxLength: 6 });
    const redact = createLogRedactor();
    fc.assert(
      fc.property(placed, containers, fc.string(), (s, path, field) => {
        let value: unknown = s.line;
        for (const container of path) {
          if (container === 'object') value = { [field]: value };
          else if (container === 'array') value = [1, value];
          else if (container === 'key') value = { [s.line]: value };
          else value = new Error(String(typeof value === 'string' ? value : 'wrapped'), { cause: value });
        }
        expect(JSON.stringify(redact({ event: 'x', value }))).not.toContain(s.secret);
      }),
      { numRuns: 1000 },
    );
  });
});
