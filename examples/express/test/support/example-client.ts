import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/** The password the example tests sign up with. */
export const PASSWORD = 'correct horse battery staple';

/**
 * JSON requests to a running example server, as a browser on `base` sends them (Origin set, an
 * address of the test's choosing in X-Forwarded-For), and sign-ups, each from its own address.
 * Every error answer is checked to be problem+json with a status and a code.
 */
export function exampleClient(app: () => { base: string; cookieName: string }) {
  let addresses = 0;

  async function send(
    method: string,
    path: string,
    options: { body?: unknown; cookie?: string; ip?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = {
      origin: app().base,
      'x-forwarded-for': options.ip ?? '192.0.2.7',
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    const response = await fetch(app().base + path, {
      method,
      headers: { ...headers, ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, whose shape the assertions check
    const body: any = text === '' ? null : JSON.parse(text);
    if (response.status >= 400) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({ status: response.status, code: expect.any(String) });
    }
    return { status: response.status, headers: response.headers, body };
  }

  async function signUp(name: string) {
    const email = `${name}-${randomBytes(3).toString('hex')}@example.com`;
    const sent = await send('POST', '/auth/signup', {
      body: { email, password: PASSWORD },
      ip: `198.51.100.${++addresses}`,
    });
    expect(sent.status).toBe(201);
    const line = sent.headers.getSetCookie().find((c) => c.startsWith(`${app().cookieName}=`));
    return { email, cookie: String(line).split(';')[0]! };
  }

  return { send, signUp };
}
