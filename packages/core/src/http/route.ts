import type { z } from 'zod';
import type { AuthApi } from '../api/index.js';
import type { CallContext } from '../call-context.js';
import type { ResolvedConfig } from '../config/index.js';
import type { AuthErrorCode } from '../errors.js';
import type { SessionWithUser } from '../sessions/sessions.js';
import type { AuthHealth } from '../storage/health-check.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext<Body, Params, Query> {
  body: Body;
  params: Params;
  query: Query;
  request: Request;
  /** The caller's session; always set on routes with `auth: 'session'`. */
  auth: SessionWithUser;
  /** The session token from the cookie, when there is one. */
  sessionToken: string | null;
  /** The access token of an `Authorization: Bearer` header, when there is one (token mode). */
  bearerToken: string | null;
  /**
   * The caller's session on a route with `auth: 'none'` that treats a signed-in caller
   * differently (a step-up): the cookie's when there is a cookie (valid or not, as on session
   * routes: a request carrying one is a cookie request), else the first-party bearer access
   * token's; null when there is none. On `auth: 'session'` routes it is `auth`.
   */
  currentSession(): Promise<SessionWithUser | null>;
  call: CallContext;
  api: AuthApi;
  /** `auth.health()`: the readiness probe's checks. */
  health(): Promise<AuthHealth>;
  /** The validated configuration (cookie security, base path…). */
  config: ResolvedConfig;
}

/** What a route returns; the handler adds headers and serializes. */
export interface RouteResult {
  status: number;
  body?: unknown;
  /** Set the session cookie (`token` + expiry) or clear it (`null`). */
  session?: { token: string; expiresAt: Date } | null;
  /** For a redirect (302/303): the `Location` header. */
  location?: string;
  /** Other `Set-Cookie` header values, each a serialized cookie. */
  cookies?: string[];
  /** Headers to set on the response, replacing the handler's (`cache-control`, or `WWW-Authenticate` on an OAuth endpoint's 401). */
  headers?: Record<string, string>;
}

/**
 * One route, declared once: the router, validation and the OpenAPI document all read it.
 */
export interface RouteDefinition<
  B extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Relative to the base path, `:name` for parameters. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /**
   * `session`: a valid session is required (401 otherwise): the session cookie, or a bearer
   * access token of an active session.
   */
  auth: 'session' | 'none';
  body?: B;
  /**
   * The `application/x-www-form-urlencoded` parameters of an OAuth endpoint, for the OpenAPI
   * document only: such a route reads its form itself (RFC 6749's rules, not JSON's).
   */
  form?: z.ZodType;
  /**
   * A JSON body the route reads itself as raw bytes (a signed payload, whose signature covers
   * the bytes as sent), for the OpenAPI document only: the handler neither reads nor validates it.
   */
  rawJsonBody?: z.ZodType;
  /** The code of a body that fails `body` (default `invalid_request`, 400), e.g. `invalid_policy`. */
  invalidBodyCode?: AuthErrorCode;
  params?: P;
  query?: Q;
  /** Rate-limited routes advertise it in OpenAPI. */
  rateLimited?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(context: RouteContext<z.output<B>, z.output<P>, z.output<Q>>): Promise<RouteResult>;
}

/** Keeps each route's handler typed by its own schemas. */
export function defineRoute<B extends z.ZodType, P extends z.ZodType, Q extends z.ZodType>(
  route: RouteDefinition<B, P, Q>,
): RouteDefinition {
  return route as unknown as RouteDefinition;
}
