import type { Auth, AuthApi, AuthHandler, HandlerOptions } from '../api/index.js';
import type { CallContext, TraceParent } from '../call-context.js';
import { type ClientAddressRule, findClientAddress, isFromTrustedProxy } from '../client-address.js';
import type { ResolvedConfig } from '../config/index.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError, isAuthError } from '../errors.js';
import { type EventLogger, runInLogScope } from '../logging/index.js';
import type { Clock } from '../ports/clock.js';
import { namesCaller, type RateLimiter } from '../rate-limit/index.js';
import { headerValue, type RequestHeaders } from '../request-headers.js';
import { bearerToken } from '../sessions/index.js';
import { readCookie, sessionCookieName } from '../sessions/session-cookie.js';
import type { AuthHealth } from '../storage/health-check.js';
import { cleanHeaderText, parseInput } from '../validation.js';
import {
  deviceCookieName,
  serializeClearedSessionCookie,
  serializeDeviceCookie,
  serializeSessionCookie,
} from './cookies.js';
import { assertTrustedOrigin } from './csrf.js';
import { parseTraceparent } from './parse-traceparent.js';
import { problemHeaders, rateLimitStateOf, toProblem } from './problem.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { readRawBody } from './raw-body.js';
import type { HttpMethod, RouteDefinition, RouteResult } from './route.js';

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A user agent is kept with sessions and audit entries cleaned and cut to this length. */
const MAX_USER_AGENT_LENGTH = 512;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface CompiledRoute {
  route: RouteDefinition;
  segments: string[];
}

export function createHandler(deps: {
  config: ResolvedConfig;
  api: AuthApi;
  routes: RouteDefinition[];
  logger: EventLogger;
  clock: Clock;
  openApi: () => unknown;
  /** `auth.health()`, for the readiness route. */
  health: () => Promise<AuthHealth>;
  /**
   * Counts the `http` operation's policies (none by default) before a route runs: those keyed by
   * the caller (`user`, `tenant`) once a `session` route has its session, the others first.
   */
  rateLimiter?: RateLimiter;
}): AuthHandler {
  const { config, api, logger } = deps;
  const { health } = deps;
  const httpPolicies = deps.rateLimiter?.policies.filter((p) => p.operations.includes('http')) ?? [];
  const countsCallers = httpPolicies.some(namesCaller);
  // a tenant's budget is spent only by its members: anyone signed in may name any tenant's id
  const countsTenants = httpPolicies.some((p) => p.key.includes('tenant'));
  const cookieOptions = { name: config.session.cookieName, secure: config.secureCookies };
  const cookieName = sessionCookieName(cookieOptions);
  const deviceName = deviceCookieName(cookieOptions);
  const compiled: CompiledRoute[] = deps.routes.map((route) => ({ route, segments: split(route.path) }));

  return async function handle(request, options = {}) {
    const requestId = requestIdOf(request, isFromTrustedProxy(options.clientIp, config.clientAddress));
    const trace = parseTraceparent(request.headers.get('traceparent'));
    // every line logged while serving it, however deep, carries the request's ids
    return runInLogScope({ requestId, ...(trace && { traceId: trace.traceId }) }, () =>
      serve(request, options, requestId, trace),
    );
  };

  async function serve(
    request: Request,
    options: HandlerOptions,
    requestId: string,
    trace: TraceParent | null,
  ): Promise<Response> {
    const call: CallContext = {
      requestId,
      ...(trace && { trace }),
      ip: clientIp(request, options, config.clientAddress),
      userAgent: cleanHeaderText(request.headers.get('user-agent'), MAX_USER_AGENT_LENGTH),
      device: { cookie: readCookie(request.headers.get('cookie'), deviceName) },
    };
    const headers = new Headers({ 'cache-control': 'no-store', 'x-request-id': requestId });
    let response: Response;
    try {
      const result = await dispatch(request, call, headers);
      response = respond(result, headers);
      if (call.device?.issued) {
        response.headers.append('set-cookie', serializeDeviceCookie(cookieOptions, call.device.issued));
      }
    } catch (error) {
      const problem = toProblem(error, requestId, logger);
      headers.set('content-type', 'application/problem+json');
      if (isAuthError(error)) for (const [name, value] of problemHeaders(error)) headers.set(name, value);
      const limited = rateLimitStateOf(error);
      if (limited) (call.rateLimits ??= []).push(limited);
      if (isAuthError(error, 'method_not_allowed') && error.detail)
        headers.set('allow', error.detail.split(': ')[1] ?? '');
      response = new Response(JSON.stringify(problem), { status: problem.status, headers });
    }
    const fields = rateLimitHeaders(call.rateLimits ?? []);
    if (fields) {
      response.headers.set('ratelimit-policy', fields.policy);
      response.headers.set('ratelimit', fields.limit);
    }
    return response;
  }

  async function dispatch(request: Request, call: CallContext, headers: Headers): Promise<RouteResult> {
    const url = new URL(request.url);
    const path = stripBasePath(url.pathname, config.basePath);
    if (path === null) throw new AuthError('not_found', { detail: 'no such route' });
    if (request.method === 'GET' && path === '/openapi.json') return { status: 200, body: deps.openApi() };

    const segments = split(path);
    const candidates = compiled
      .map((c) => ({ c, params: match(c.segments, segments) }))
      .filter((m): m is { c: CompiledRoute; params: Record<string, string> } => m.params !== null);
    if (candidates.length === 0) throw new AuthError('not_found', { detail: 'no such route' });
    const method = (request.method === 'HEAD' ? 'GET' : request.method) as HttpMethod;
    const found = candidates.find((m) => m.c.route.method === method);
    if (!found) {
      const allowed = [...new Set(candidates.map((m) => m.c.route.method))].join(', ');
      throw new AuthError('method_not_allowed', { detail: `allowed: ${allowed}` });
    }
    const { route } = found.c;
    const routeName = `${route.method} ${route.path}`;
    if (deps.rateLimiter) {
      // before anything is looked up: an unauthenticated flood stops here
      const state = await deps.rateLimiter.consume(
        'http',
        null,
        { ip: call.ip, route: routeName },
        { only: (policy) => !namesCaller(policy) },
      );
      if (state) (call.rateLimits ??= []).push(state);
    }

    const sessionToken = readCookie(request.headers.get('cookie'), cookieName);
    const bearer = bearerToken(request.headers.get('authorization'));
    // a bearer token is no ambient credential: a request carrying only one needs no Origin. One
    // that also carries the session cookie is checked as a cookie request
    if (UNSAFE_METHODS.has(method) && !(bearer && sessionToken === null))
      assertTrustedOrigin(request.headers, config.trustedOrigins, sessionToken !== null);

    const params = route.params ? parseInput(route.params, found.params) : found.params;
    const query = route.query ? parseInput(route.query, Object.fromEntries(url.searchParams)) : {};
    const body = route.body
      ? parseInput(route.body, await readJsonBody(request), route.invalidBodyCode)
      : undefined;

    let auth = null;
    if (route.auth === 'session') {
      // the cookie when there is one; else the bearer access token's session (token mode)
      auth = sessionToken
        ? await api.validateSessionToken(sessionToken)
        : bearer
          ? await api.getSession(request.headers)
          : null;
      if (!auth) {
        // a stale cookie is cleared so the browser stops sending it
        if (sessionToken) headers.append('set-cookie', serializeClearedSessionCookie(cookieOptions));
        throw new AuthError('unauthenticated');
      }
      call.actor = { type: 'user', id: auth.user.id };
      call.session = auth.session;
      if (deps.rateLimiter && countsCallers) {
        const tenantId = (params as { tenantId?: unknown }).tenantId;
        const tenant =
          typeof tenantId === 'string' && countsTenants && (await isMember(tenantId, auth.user.id))
            ? tenantId
            : null;
        const state = await deps.rateLimiter.consume(
          'http',
          null,
          { ip: call.ip, route: routeName, user: auth.user.id, tenant },
          { only: namesCaller },
        );
        if (state) (call.rateLimits ??= []).push(state);
      }
    }
    return route.handle({
      body,
      params,
      query,
      request,
      auth: auth!,
      sessionToken,
      bearerToken: bearer,
      currentSession: async () =>
        auth ??
        (sessionToken
          ? api.validateSessionToken(sessionToken)
          : bearer
            ? api.getSession(request.headers)
            : null),
      call,
      api,
      health,
      config,
    });
  }

  /** Through the authorization cache: the route's own permission check reads the same entry. */
  async function isMember(tenantId: string, userId: string): Promise<boolean> {
    const result = await api.authorize({ tenantId, userId, action: 'tenant.read' });
    return result.reason.kind !== 'not_member';
  }

  function respond(result: RouteResult, headers: Headers): Response {
    for (const cookie of result.cookies ?? []) headers.append('set-cookie', cookie);
    for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, value);
    if (result.location !== undefined) headers.set('location', result.location);
    if (result.session === null) headers.append('set-cookie', serializeClearedSessionCookie(cookieOptions));
    if (result.session) {
      const maxAge = (result.session.expiresAt.getTime() - deps.clock.now().getTime()) / 1000;
      headers.append('set-cookie', serializeSessionCookie(cookieOptions, result.session.token, maxAge));
    }
    if (result.body === undefined || result.status === 204)
      return new Response(null, { status: result.status, headers });
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify(result.body), { status: result.status, headers });
  }
}

async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > MAX_BODY_BYTES) throw new AuthError('payload_too_large', { detail: 'limit is 1 MiB' });
  if (!request.body) {
    if (declared > 0) throw new AuthError('invalid_json');
    return {};
  }
  if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    const text = await readLimited(request);
    if (text.trim() === '') return {};
    throw new AuthError('unsupported_media_type', { detail: 'send Content-Type: application/json' });
  }
  const text = await readLimited(request);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AuthError('invalid_json', { detail: 'the body is not valid JSON' });
  }
}

/** Reads the body as text, refusing more than the limit even when Content-Length lied or was absent. */
async function readLimited(request: Request): Promise<string> {
  const bytes = await readRawBody(
    request,
    MAX_BODY_BYTES,
    () => new AuthError('payload_too_large', { detail: 'limit is 1 MiB' }),
  );
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AuthError('invalid_json', { detail: 'the body is not valid UTF-8' });
  }
}

/**
 * The request's id: the one a trusted proxy (`trustProxy`) sent in `x-request-id`, when it has
 * a safe format (it reaches logs, audit rows and headers), else a new UUIDv7. A client that
 * reaches us directly cannot choose the id its requests are logged and audited under.
 */
function requestIdOf(request: Request, fromTrustedProxy: boolean): string {
  const incoming = fromTrustedProxy ? request.headers.get('x-request-id') : null;
  return incoming && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming) ? incoming : uuidv7();
}

/**
 * The client address, canonical, by the `trustProxy` rule (see `findClientAddress`): the socket
 * address, or the entry of `X-Forwarded-For` / `Forwarded` that a trusted proxy wrote. Entries
 * a client wrote are never used, nor any text that is no address.
 */
export function clientIp(
  request: { headers: RequestHeaders },
  options: HandlerOptions,
  rule: ClientAddressRule,
): string | null {
  return findClientAddress(headerValue(request.headers, rule.header), options.clientIp, rule);
}

/**
 * What server code (middleware, server actions) uses to treat a request as the handler does:
 * its call context (the client address by the same `trustProxy` rule, the user agent, a new
 * request id) and the CSRF origin check.
 */
export function serverRequestChecks(
  config: Pick<ResolvedConfig, 'clientAddress' | 'trustedOrigins' | 'session' | 'secureCookies'>,
): Pick<Auth, 'callContext' | 'assertTrustedOrigin'> {
  const cookieOptions = { name: config.session.cookieName, secure: config.secureCookies };
  const deviceName = deviceCookieName(cookieOptions);
  const sessionName = sessionCookieName(cookieOptions);
  /** A bearer token and no session cookie: nothing a browser attaches by itself. */
  const isBearerOnly = (headers: RequestHeaders) =>
    bearerToken(headerValue(headers, 'authorization')) !== null &&
    readCookie(headerValue(headers, 'cookie'), sessionName) === null;
  return {
    callContext: (headers, options = {}): CallContext => ({
      ip: clientIp({ headers }, options, config.clientAddress),
      userAgent: cleanHeaderText(headerValue(headers, 'user-agent'), MAX_USER_AGENT_LENGTH),
      requestId: uuidv7(),
      device: { cookie: readCookie(headerValue(headers, 'cookie'), deviceName) },
    }),
    assertTrustedOrigin: (headers, options) => {
      if (options?.hasSessionCookie === undefined && isBearerOnly(headers)) return;
      assertTrustedOrigin(headers, config.trustedOrigins, options?.hasSessionCookie ?? true);
    },
  };
}

function stripBasePath(pathname: string, basePath: string): string | null {
  if (basePath === '/') return pathname;
  if (pathname === basePath) return '/';
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : null;
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function match(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (p !== s) return null;
  }
  return params;
}
