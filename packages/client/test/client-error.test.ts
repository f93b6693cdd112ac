import { describe, expect, it } from 'vitest';
import { errorFromResponse, parseRetryAfter } from '../src/client-error.js';
import { createPortcullisClient, isPortcullisClientError, PortcullisClientError } from '../src/index.js';
import { BASE_URL, clientOf, createServer, PASSWORD, uniqueEmail } from './support.js';

// How a failed call rejects: the server's problem+json (through the real handler), Retry-After in
// both of its forms, an answer from something that is not the handler, and no answer at all.

/** A client whose server answers every request with `respond()` (a proxy, a load balancer). */
function clientBehind(respond: () => Response | Promise<Response>) {
  return createPortcullisClient({ baseUrl: BASE_URL, refreshOnFocus: false, fetch: async () => respond() });
}

describe('PortcullisClientError', () => {
  it('carries the code, status, detail, requestId and issues of a problem+json answer', async () => {
    const client = clientOf(createServer());
    const error = await client.signUp({ email: 'not an email', password: PASSWORD }).catch((e) => e);
    expect(error).toBeInstanceOf(PortcullisClientError);
    expect(error).toMatchObject({ name: 'PortcullisClientError', code: 'invalid_request', status: 400 });
    expect(error.requestId).toMatch(/\S+/);
    expect(error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'email' })]));
    expect(error.problem).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(isPortcullisClientError(error, 'invalid_request')).toBe(true);
    expect(isPortcullisClientError(error, 'conflict')).toBe(false);
    expect(isPortcullisClientError(new Error('x'))).toBe(false);
  });

  it('keeps members the class does not name in `problem`', async () => {
    const server = createServer({ session: { absoluteTtlSeconds: 3600 } });
    const client = clientOf(server);
    await client.signUp({ email: uniqueEmail(), password: PASSWORD });
    const error = await client.sessions.revoke('no-such-session').catch((e) => e);
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
    expect(error.problem.title).toEqual(expect.any(String));
    expect(error.message).toBe(`not_found: ${error.detail}`);
  });

  it('reads Retry-After in seconds and as an HTTP date', async () => {
    const now = Date.UTC(2030, 0, 1, 12);
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 7 ', now)).toBe(7);
    expect(parseRetryAfter(new Date(now + 90_500).toUTCString(), now)).toBe(90);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();

    const limited = clientBehind(
      () =>
        new Response(JSON.stringify({ status: 429, code: 'rate_limited', title: 'Too many requests' }), {
          status: 429,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
        }),
    );
    const error = await limited.signIn({ email: 'a@example.com', password: PASSWORD }).catch((e) => e);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfter: 30 });
  });

  it('gives the Retry-After of a real rate limit', async () => {
    const server = createServer({ rateLimit: { rules: { signIn: { limit: 2, windowSeconds: 60 } } } });
    const client = clientOf(server);
    let error: unknown;
    for (let i = 0; i < 20 && !error; i++) {
      error = await client
        .signIn({ email: 'nobody@example.com', password: PASSWORD })
        .then(() => undefined)
        .catch((e) => (isPortcullisClientError(e, 'rate_limited') ? e : undefined));
    }
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((error as PortcullisClientError).retryAfter).toBeGreaterThan(0);
  });

  it('makes a non-JSON 502 from a proxy an internal_error with the status', async () => {
    const client = clientBehind(
      () =>
        new Response('<html><body>502 Bad Gateway</body></html>', {
          status: 502,
          headers: { 'content-type': 'text/html', 'x-request-id': 'edge-123' },
        }),
    );
    const error = await client.getSession({ headers: {} }).catch((e) => e);
    expect(error).toMatchObject({ code: 'internal_error', status: 502, detail: undefined });
    expect(error.requestId).toBe('edge-123');
    expect(error.problem).toBeUndefined();
  });

  it('names a problem-less 401, 403, 404 and 429 by their status', async () => {
    for (const [status, code] of [
      [401, 'unauthenticated'],
      [403, 'forbidden'],
      [404, 'not_found'],
      [429, 'rate_limited'],
      [418, 'invalid_response'],
    ] as const) {
      const error = await errorFromResponse(new Response('', { status }));
      expect(error).toMatchObject({ code, status });
    }
  });

  it('rejects an answer that is not JSON where JSON was declared as invalid_response', async () => {
    const client = clientBehind(() => new Response('ok', { status: 200 }));
    const error = await client.tenants.list().catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_response', status: 200 });
  });

  it('makes a request that got no answer a network_error, and lets an abort be an abort', async () => {
    const unreachable = clientBehind(() => {
      throw new TypeError('fetch failed');
    });
    const error = await unreachable.tenants.list().catch((e) => e);
    expect(error).toMatchObject({ code: 'network_error', status: 0 });
    expect(error.cause).toBeInstanceOf(TypeError);

    const controller = new AbortController();
    const slow = createPortcullisClient({
      baseUrl: BASE_URL,
      refreshOnFocus: false,
      // a server that never answers; fetch rejects with the signal's reason once it is aborted
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          if (init?.signal?.aborted) reject(init.signal.reason);
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    });
    const pending = slow.tenants.list(undefined, { signal: controller.signal }).catch((e) => e);
    controller.abort();
    const aborted = await pending;
    expect(isPortcullisClientError(aborted)).toBe(false);
    expect((aborted as Error).name).toBe('AbortError');
  });
});
