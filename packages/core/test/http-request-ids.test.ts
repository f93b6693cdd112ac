import { afterEach, describe, expect, it } from 'vitest';
import { type Auth, type AuthConfig, createAuth, type LogFields, type Storage } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { ORIGIN, PASSWORD, SECRET } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const opened: Auth[] = [];
afterEach(async () => {
  for (const auth of opened.splice(0)) await auth.close();
});

/** An app over real storage, its log lines kept; `failing` makes every store call fail like a lost connection. */
function app(config: Partial<AuthConfig> = {}) {
  const lines: LogFields[] = [];
  const record = (fields: LogFields, message?: string) => void lines.push({ ...fields, message });
  const inner = memoryStorage();
  const state = { failing: false };
  const lost = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
  const guarded = <T extends object>(stores: T): T =>
    Object.fromEntries(
      Object.entries(stores).map(([name, store]) => [
        name,
        store !== null && typeof store === 'object' && name !== 'capabilities'
          ? new Proxy(store, {
              get(target, property, receiver) {
                const value = Reflect.get(target, property, receiver);
                if (typeof value !== 'function') return value;
                return (...args: unknown[]) =>
                  state.failing ? Promise.reject(lost) : Reflect.apply(value, target, args);
              },
            })
          : store,
      ]),
    ) as T;
  const storage = {
    ...guarded(inner),
    transaction: (fn) => inner.transaction((tx) => fn(guarded(tx))),
  } as Storage;
  const auth = createAuth({
    storage,
    secret: SECRET,
    baseURL: ORIGIN,
    logger: { debug: record, info: record, warn: record, error: record },
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    ...config,
  });
  opened.push(auth);
  async function call(
    path: string,
    init: { clientIp?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) {
    const headers = new Headers(init.headers);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    headers.set('origin', ORIGIN);
    const response = await auth.handler(
      new Request(`${ORIGIN}/auth${path}`, {
        method: init.body === undefined ? 'GET' : 'POST',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
      { clientIp: init.clientIp ?? '203.0.113.7' },
    );
    const text = await response.text();
    return {
      status: response.status,
      id: response.headers.get('x-request-id'),
      body: text ? JSON.parse(text) : null,
    };
  }
  return { auth, inner, state, lines, call };
}

describe('request ids (issue 19)', () => {
  it('ignores an x-request-id sent straight to the app: a client does not choose its audit id', async () => {
    const { call } = app();
    const res = await call('/session', { headers: { 'x-request-id': 'chosen-by-client' } });
    expect(res.id).toMatch(UUID);
  });

  it('takes a safe x-request-id from a trusted proxy (by range or by hop count), not from an address outside the range', async () => {
    const byRange = app({ trustProxy: ['10.0.0.0/8'] });
    expect(
      (await byRange.call('/session', { clientIp: '10.1.2.3', headers: { 'x-request-id': 'lb-1:a.b_c' } }))
        .id,
    ).toBe('lb-1:a.b_c');
    expect(
      (await byRange.call('/session', { clientIp: '198.51.100.4', headers: { 'x-request-id': 'lb-2' } })).id,
    ).toMatch(UUID);
    const byHops = app({ trustProxy: 1 });
    expect((await byHops.call('/session', { headers: { 'x-request-id': 'edge-42' } })).id).toBe('edge-42');
  });

  it.each([
    ['spaces', 'bad id'],
    ['too long', 'a'.repeat(129)],
    ['a slash', 'a/b'],
    ['non-ASCII', 'réq'],
    ['a JSON fragment', '{"x":1}'],
  ])('replaces an id from a trusted proxy with %s by a new one', async (_name, id) => {
    const { call } = app({ trustProxy: 1 });
    expect((await call('/session', { headers: { 'x-request-id': id } })).id).toMatch(UUID);
  });

  it('puts the same id in the problem body, the response header and every log line of the request, deep ones included', async () => {
    const { call, state, lines } = app({ trustProxy: 1 });
    state.failing = true;
    const res = await call('/login', {
      headers: { 'x-request-id': 'req-failing-1', traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
      body: { email: 'a@example.com', password: PASSWORD },
    });
    expect(res.status).toBe(503);
    expect(res.id).toBe('req-failing-1');
    expect(res.body.requestId).toBe('req-failing-1');
    // logged by the storage wrapper, which is given no request id: it comes from the request's scope
    const deep = lines.filter((line) => line.event === 'portcullis.storage.unavailable');
    expect(deep.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ requestId: 'req-failing-1', traceId: TRACE_ID });
  });

  it('writes the id into the audit and outbox rows of the request', async () => {
    const { call, inner } = app({ trustProxy: 1 });
    const res = await call('/signup', {
      headers: { 'x-request-id': 'req-signup-1' },
      body: { email: 'audited@example.com', password: PASSWORD },
    });
    expect(res.status).toBe(201);
    const rows = [
      ...(await inner.audit.listChain('*', 0, 100)),
      ...(await inner.audit.listChain(`user:${res.body.user.id}`, 0, 100)),
    ];
    const ofRequest = rows.filter((row) => row.requestId === 'req-signup-1');
    expect(ofRequest.length).toBeGreaterThan(0);
    expect(ofRequest.map((row) => row.action)).toContain('user.created');
    expect(rows.filter((row) => row.requestId !== 'req-signup-1')).toEqual([]);
    const events = await inner.outbox.claimBatch(
      new Date(Date.now() + 60_000),
      100,
      new Date(Date.now() + 120_000),
    );
    expect(events.map((event) => event.type)).toContain('user.created');
    expect(events.every((event) => event.requestId === 'req-signup-1')).toBe(true);
  });

  it.each([
    ['uppercase hex', `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ['extra fields on version 00', `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-00f067aa0ba902b7-01`],
  ])('ignores a traceparent with %s', async (_name, traceparent) => {
    const { call, state, lines } = app();
    state.failing = true;
    await call('/login', { headers: { traceparent }, body: { email: 'a@example.com', password: PASSWORD } });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toHaveProperty('traceId');
  });

  it('honours a later traceparent version with more fields, as the spec asks', async () => {
    const { call, state, lines } = app();
    state.failing = true;
    await call('/login', {
      headers: { traceparent: `01-${TRACE_ID}-00f067aa0ba902b7-00-future` },
      body: { email: 'a@example.com', password: PASSWORD },
    });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.traceId).toBe(TRACE_ID);
  });
});
