import { errorFromResponse, PortcullisClientError } from './client-error.js';
import {
  methodNames,
  type OperationId,
  type OperationSpec,
  operations,
  type RefreshTokensResponse,
  type RouteMethods,
} from './generated/routes.js';
import type { RequestOptions } from './request-options.js';
import { applySessionEffect } from './session-effects.js';
import type { SessionData, SessionStore } from './session-store.js';
import { createSessionStore } from './session-store-impl.js';
import { cookieTransport, type OutgoingRequest, type Transport } from './transport.js';

/** Options of {@link createPortcullisClient}. */
export interface PortcullisClientOptions {
  /**
   * Where the handler is mounted: `/api/auth` (same origin) or an absolute URL
   * (`https://auth.example.com/api/auth`).
   */
  baseUrl: string;
  /** `cookieTransport()` (the default) or `tokenTransport()`; one transport serves one client. */
  transport?: Transport;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /**
   * The session the server rendered with (`null` when signed out): the store starts from it and
   * does not fetch `GET /session` on hydration. Leave out to start `loading`.
   */
  initialSession?: SessionData | null;
  /** A `GET /session` answer is reused for this long (default 2000 ms); reads in flight are shared. */
  sessionDedupeMs?: number;
  /** Re-read the session when the window regains focus or the network comes back (default true). */
  refreshOnFocus?: boolean;
}

/** A typed client of a Portcullis handler: every route as a method, and the session store. */
export type PortcullisClient = RouteMethods & {
  /** The session store every call keeps current. */
  readonly session: SessionStore;
  readonly transport: Transport;
  /** Calls a route by operationId: what every method does. */
  call(operationId: OperationId, args: readonly unknown[]): Promise<unknown>;
  /** The absolute or base-relative URL of a route (redirect routes, links). */
  url(operationId: OperationId, params?: readonly string[], query?: Record<string, unknown>): string;
  /** Removes listeners (focus, online, channels). */
  dispose(): void;
};

/**
 * Creates a client for a Portcullis handler.
 *
 * @example
 * import { createPortcullisClient } from '@portcullis/client';
 *
 * const client = createPortcullisClient({ baseUrl: '/api/auth' });
 * await client.signIn({ email: 'ada@example.com', password: 'correct horse battery staple' });
 * const { items } = await client.tenants.members.list(tenantId, { limit: 50 });
 */
export function createPortcullisClient(options: PortcullisClientOptions): PortcullisClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const transport = options.transport ?? cookieTransport();
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  function url(
    operationId: OperationId,
    params: readonly string[] = [],
    query?: Record<string, unknown>,
  ): string {
    const spec = operations[operationId];
    let index = 0;
    const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
      const value = params[index++];
      if (typeof value !== 'string' || value === '') {
        throw new TypeError(`${methodNames[operationId]}: ${name} must be a non-empty string`);
      }
      return encodeURIComponent(value);
    });
    return `${baseUrl}${path}${queryString(query)}`;
  }

  // errors of calls sent with a sign-in's credentials that another sign-in has since replaced
  const fromReplacedSignIn = new WeakSet<PortcullisClientError>();

  async function send(operationId: OperationId, args: readonly unknown[]): Promise<unknown> {
    const spec = operations[operationId];
    const params = args.slice(0, spec.params.length) as string[];
    const rest = args.slice(spec.params.length);
    const input = spec.input ? (rest.shift() as Record<string, unknown> | undefined) : undefined;
    const requestOptions = rest.shift() as RequestOptions | undefined;
    const request = outgoing(operationId, spec, params, input, requestOptions);
    await transport.prepare(request);
    let sent = request;
    let response = await fetchOnce(request);
    if (response.status === 401 && transport.recover) {
      const error = await errorFromResponse(response.clone());
      // once: a retry that fails again is the answer
      if (await transport.recover(request, 401, error.code)) {
        sent = outgoing(operationId, spec, params, input, requestOptions);
        await transport.prepare(sent);
        response = await fetchOnce(sent);
      }
    }
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (transport.isCurrent?.(sent) === false) fromReplacedSignIn.add(error);
      throw error;
    }
    const body = await readBody(response);
    await transport.receive?.(operationId, body);
    return body;
  }

  /** `POST /token/refresh` for the token transport: no credentials, no session effects. */
  async function refreshTokens(refreshToken: string): Promise<RefreshTokensResponse> {
    const request = outgoing(
      'refreshTokens',
      operations.refreshTokens,
      [],
      { refresh_token: refreshToken },
      undefined,
    );
    request.init.credentials = 'omit';
    const response = await fetchOnce(request);
    if (!response.ok) throw await errorFromResponse(response);
    return (await readBody(response)) as RefreshTokensResponse;
  }

  function outgoing(
    operationId: OperationId,
    spec: OperationSpec,
    params: string[],
    input: Record<string, unknown> | undefined,
    requestOptions: RequestOptions | undefined,
  ): OutgoingRequest {
    const headers = new Headers(requestOptions?.headers);
    headers.set('accept', 'application/json, application/problem+json');
    const init: RequestInit & { headers: Headers } = { method: spec.method, headers, redirect: 'manual' };
    if (requestOptions?.signal) init.signal = requestOptions.signal;
    const request: OutgoingRequest = {
      operationId,
      url: url(operationId, params, spec.input === 'query' ? input : undefined),
      init,
      body: spec.input === 'body' ? { ...(input ?? {}) } : undefined,
    };
    return request;
  }

  async function fetchOnce(request: OutgoingRequest): Promise<Response> {
    const spec = operations[request.operationId];
    if (request.body !== undefined) {
      if (spec.encoding === 'form') {
        request.init.headers.set('content-type', 'application/x-www-form-urlencoded');
        request.init.body = new URLSearchParams(stringEntries(request.body)).toString();
      } else {
        request.init.headers.set('content-type', 'application/json');
        request.init.body = JSON.stringify(request.body);
      }
    }
    try {
      return await fetchImpl(request.url, request.init);
    } catch (cause) {
      if (request.init.signal?.aborted) throw cause;
      throw new PortcullisClientError('network_error', {
        status: 0,
        detail: 'the server did not answer',
        cause,
      });
    }
  }

  const session = createSessionStore({
    initial: options.initialSession,
    dedupeMs: options.sessionDedupeMs ?? 2000,
    refreshOnFocus: options.refreshOnFocus ?? true,
    fetchSession: () => send('getSession', []) as Promise<SessionData>,
    ready: () => transport.ready?.() ?? Promise.resolve(),
    hasCredentials: () => transport.hasCredentials?.() ?? true,
  });
  transport.attach?.({
    baseUrl,
    refreshTokens,
    signedOut: () => session.set(null),
    signedIn: () => {
      session.invalidate();
      void session.refresh({ force: true });
    },
  });

  async function call(operationId: OperationId, args: readonly unknown[]): Promise<unknown> {
    try {
      const body = await send(operationId, args);
      await applySessionEffect(operationId, body, { session, transport });
      return body;
    } catch (error) {
      if (
        error instanceof PortcullisClientError &&
        error.status === 401 &&
        (error.code === 'unauthenticated' || error.code === 'session_expired') &&
        // the previous user's session is over; the one signed in since is not
        !fromReplacedSignIn.has(error)
      ) {
        session.set(null);
      }
      throw error;
    }
  }

  const client = {
    session,
    transport,
    call,
    url,
    dispose() {
      session.dispose();
      transport.dispose?.();
    },
  } as Record<string, unknown>;
  for (const operationId of Object.keys(operations) as OperationId[]) {
    const spec = operations[operationId];
    const method =
      spec.encoding === 'redirect'
        ? (...args: unknown[]) =>
            url(operationId, args.slice(0, spec.params.length) as string[], args[spec.params.length] as never)
        : (...args: unknown[]) => call(operationId, args);
    place(client, methodNames[operationId], method);
  }
  // two components asking at once (or within the dedupe window) share one request
  client.getSession = (requestOptions?: RequestOptions) =>
    requestOptions ? call('getSession', [requestOptions]) : session.read();
  return client as unknown as PortcullisClient;
}

function place(root: Record<string, unknown>, dotted: string, method: unknown): void {
  const parts = dotted.split('.');
  let node = root;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = method;
}

function stringEntries(values: Record<string, unknown>): [string, string][] {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => [key, String(value)]);
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new PortcullisClientError('invalid_response', {
      status: response.status,
      detail: 'the answer is not JSON',
      cause,
    });
  }
}
