import type { Auth } from '../../api/index.js';

/** The origin the administration suites' requests come from (the auth's `baseURL`). */
export const ORIGIN = 'http://localhost:3000';

export interface Reply {
  status: number;
  contentType: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field
  body: any;
  cookie: string | null;
}

/** Real `Request`s through `auth.handler`, as a browser on {@link ORIGIN} sends them. */
export function httpClient(auth: Auth) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    cookie?: string | null,
  ): Promise<Reply> {
    const headers = new Headers({ origin: ORIGIN });
    if (cookie) headers.set('cookie', cookie);
    if (body !== undefined) headers.set('content-type', 'application/json');
    const response = await auth.handler(
      new Request(`${ORIGIN}/auth${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { clientIp: '127.0.0.1' },
    );
    const text = await response.text();
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(auth.sessionCookieName));
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: text ? JSON.parse(text) : null,
      cookie: setCookie ? (setCookie.split(';')[0] ?? null) : null,
    };
  };
}
