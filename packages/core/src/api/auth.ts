import type { CallContext } from '../call-context.js';
import type { ResolvedConfig } from '../config/index.js';
import type { OutboxDispatcher } from '../outbox/index.js';
import type { RequestHeaders } from '../request-headers.js';
import type { AuthHealth } from '../storage/index.js';

export type { AuthHealth };

import type { AuthApi } from './auth-api.js';

/** Per-request facts a framework knows and a `Request` does not carry. */
export interface HandlerOptions {
  /**
   * The client's address as the socket saw it (used unless `trustProxy`, and when the forwarded
   * entry is no address). Any spelling (`::ffff:192.0.2.10`, `[2001:db8::1]:443`) is
   * canonicalised; text that is no address counts as none.
   */
  clientIp?: string | null;
}

/** The Web-standard handler of every route: a `Request` in, a `Response` out. */
export type AuthHandler = (request: Request, options?: HandlerOptions) => Promise<Response>;

/**
 * A configured Portcullis instance.
 *
 * @example
 * const auth = createAuth({ storage: kyselyStorage(db), secret, baseURL: 'http://localhost:3000' })
 * app.all('/auth/*', toExpressHandler(auth))   // or mountAuth(app, auth) from @portcullis/express
 */
export interface Auth {
  /** Web-standard handler for every route under `basePath`. */
  handler: AuthHandler;
  /** The same operations for server-side code. */
  api: AuthApi;
  /** The in-process outbox dispatcher (started automatically unless `outbox.autoStart: false`). */
  outbox: OutboxDispatcher;
  /** The validated configuration. */
  config: ResolvedConfig;
  /** The name of the session cookie (with `__Host-` on https). */
  sessionCookieName: string;
  /**
   * The CSRF rule of Portcullis's own routes, for app routes authenticated by the session cookie:
   * throws `AuthError('csrf_origin_mismatch')` unless the request proves a trusted origin.
   * Framework middleware calls it on unsafe methods, with Web `Headers` or Node's header object
   * (`req.headers`) as the framework has them: only Origin, Sec-Fetch-Site, Referer, and (without
   * `options.hasSessionCookie`) Cookie and Authorization are read. A request that carries an
   * `Authorization: Bearer` token and no session cookie passes without an Origin: a bearer token
   * is no ambient credential a browser would attach to a forged request. One that carries the
   * cookie is checked as a cookie request, bearer or not.
   *
   * @example
   * if (req.method === 'POST') auth.assertTrustedOrigin(req.headers) // Express, node:http
   */
  assertTrustedOrigin(headers: RequestHeaders, options?: { hasSessionCookie?: boolean }): void;
  /**
   * The call context of a request for `auth.api` calls made from server code (server actions,
   * route handlers): the client address by the same `trustProxy` rule as the handler (canonical,
   * or null when neither the forwarded entry nor the socket address is one), and the
   * user agent, so those calls are rate-limited per client and audited with their origin.
   * Takes Web `Headers` or Node's header object (`req.headers`).
   *
   * @example
   * await auth.api.signIn(input, auth.callContext(await headers(), { clientIp }))
   */
  callContext(headers: RequestHeaders, options?: HandlerOptions): CallContext;
  /** The OpenAPI 3.1 document of the mounted routes. */
  openApiDocument(): Record<string, unknown>;
  /**
   * The state of each component, for a readiness probe or a status page: the database (`up`,
   * `unavailable`, or `not_migrated` when its tables are missing), the shared key-value store
   * (`up`, `unavailable`, `local` without one), and whether the session and authorization
   * caches hear other instances' invalidations (`subscribed`, or `retrying` with backoff, when
   * revocations and role changes made elsewhere arrive only as cached entries are re-checked).
   * `ok` when nothing is down or retrying. Makes one read of each store; never throws.
   *
   * @example
   * app.get('/ready', async (_req, res) => { const h = await auth.health(); res.status(h.ok ? 200 : 503).json(h) })
   */
  health(): Promise<AuthHealth>;
  /**
   * Stops what runs in the background and waits for it: the work signing started (a successor
   * signing key being published), accepted mail requests, the outbox dispatcher (its pass under
   * way gets a second to finish), the API keys' last uses (written now), and the caches' timers,
   * writes and subscriptions. Once it resolves the app may close its database and Redis clients;
   * it does not close them itself.
   *
   * @example
   * process.on('SIGTERM', async () => { server.close(); await auth.close(); await db.destroy() })
   */
  close(): Promise<void>;
}
