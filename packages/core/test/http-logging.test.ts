import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAuth, LOG_EVENTS, type Storage } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { httpClient, ORIGIN, SECRET } from './support.js';

const sessionToken = 'k9Jx2Vd8Qm3Lr5Tn7Wp1Ys4Ub6Zc0Ae2Gf5Hh8Ij1Kl';
const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLWJ5dGVzLW9mLWEtand0';

/** Memory storage whose every store fails, with a message carrying secrets and a forged line. */
function storageFailingWith(message: string): Storage {
  const fail = <T extends object>(store: T): T =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? () => Promise.reject(new Error(message)) : value;
      },
    });
  const storage = memoryStorage();
  const failing = <T extends object>(stores: T): T =>
    Object.fromEntries(
      Object.entries(stores).map(([name, value]) => [
        name,
        value !== null && typeof value === 'object' && name !== 'capabilities' ? fail(value) : value,
      ]),
    ) as T;
  return {
    ...failing(storage),
    transaction: (fn) => storage.transaction((tx) => fn(failing(tx))),
  } as Storage;
}

/** A real pino logger writing JSON lines into an array. */
function pinoLines() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('logging through a pino logger (docs/observability.md)', () => {
  it('takes pino as the logger port: one JSON line per event, with its fixed name, the message and the request id', async () => {
    const { logger, lines } = pinoLines();
    const auth = createAuth({
      storage: storageFailingWith('connection lost'),
      secret: SECRET,
      baseURL: ORIGIN,
      logger,
      outbox: { autoStart: false },
      rateLimit: { enabled: false },
    });
    const res = await httpClient(auth).post('/login', {
      email: 'a@example.com',
      password: 'hunter2 hunter2',
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    const errors = lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      event: expect.stringMatching(/^portcullis\.request\.(failed|unexpected_error)$/),
      msg: expect.any(String),
      requestId: res.headers.get('x-request-id'),
    });
    expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
    await auth.close();
  });

  it('scrubs tokens from error messages and escapes CR/LF before pino sees them', async () => {
    const { logger, lines } = pinoLines();
    const auth = createAuth({
      storage: storageFailingWith(
        `query failed for session ${sessionToken} with Authorization: Bearer ${jwt}\r\n{"level":30,"msg":"forged"}`,
      ),
      secret: SECRET,
      baseURL: ORIGIN,
      logger,
      outbox: { autoStart: false },
      rateLimit: { enabled: false },
    });
    await httpClient(auth).post('/login', { email: 'a@example.com', password: 'hunter2 hunter2' });
    const written = JSON.stringify(lines);
    expect(lines.length).toBeGreaterThan(0);
    expect(written).not.toContain(sessionToken);
    expect(written).not.toContain(jwt.split('.')[2]);
    expect(written).not.toContain('hunter2');
    expect(written).toContain('[redacted]');
    // the forged record stays inside the error text, escaped: still one line per event
    expect(lines.some((line) => line.msg === 'forged')).toBe(false);
    expect(written).toContain('\\\\r\\\\n');
    await auth.close();
  });
});

describe('docs/observability.md', () => {
  it('lists every event name with its message', () => {
    const guide = readFileSync(new URL('../../../docs/observability.md', import.meta.url), 'utf8');
    const missing = Object.entries(LOG_EVENTS).filter(
      ([event, message]) => !guide.includes(`| \`${event}\` | ${message} |`),
    );
    expect(missing).toEqual([]);
  });
});
