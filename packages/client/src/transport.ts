import type { OperationId, RefreshTokensResponse } from './generated/routes.js';

/** A request the client is about to send; a transport adds credentials to it. */
export interface OutgoingRequest {
  operationId: OperationId;
  url: string;
  init: RequestInit & { headers: Headers };
  /** The JSON body, before it is serialized (a transport may add to it, e.g. `delivery: 'token'`). */
  body: Record<string, unknown> | undefined;
}

/**
 * What the client hands its transport once, when it is created: the transport's way back to the
 * server and to the session store.
 */
export interface TransportContext {
  /** The client's `baseUrl`, without a trailing slash (names the cross-tab lock and channel). */
  readonly baseUrl: string;
  /**
   * `POST /token/refresh` through the client's `fetch`, without credentials; rejects with a
   * `PortcullisClientError` (`refresh_token_invalid`, `network_error`…).
   */
  refreshTokens(refreshToken: string): Promise<RefreshTokensResponse>;
  /** The credentials are gone (a refused refresh, another tab signed out): the session ends. */
  signedOut(): void;
  /** Credentials arrived from elsewhere (another tab signed in): the session is read again. */
  signedIn(): void;
}

/**
 * How the client proves who it is. `cookie` (the default) lets the browser send the session
 * cookie; `token` keeps an access token in memory and refreshes it.
 */
export interface Transport {
  readonly kind: 'cookie' | 'token';
  /** Called once by `createPortcullisClient`; a transport serves one client. */
  attach?(context: TransportContext): void;
  /**
   * Resolves when the transport knows whether it holds credentials (a storage adapter loaded,
   * other tabs asked); the session store waits for it before deciding the user is signed out.
   */
  ready?(): Promise<void>;
  /** Adds credentials to a request about to be sent. */
  prepare(request: OutgoingRequest): void | Promise<void>;
  /**
   * Sees a 401 answer; resolves `true` when it recovered (a refreshed access token) and the call
   * should be sent once more.
   */
  recover?(request: OutgoingRequest, status: number, code: string): Promise<boolean>;
  /**
   * Whether `request` went with the credentials held now (or their refreshed successors); `false`
   * for a call of a sign-in replaced since (another user signed in meanwhile): its 401 says
   * nothing about the current session. Without it, every request counts as current.
   */
  isCurrent?(request: OutgoingRequest): boolean;
  /** Sees every successful answer (a token-mode sign-in carries the token pair). */
  receive?(operationId: OperationId, body: unknown): void | Promise<void>;
  /** Whether the transport holds credentials that may be a session (no fetch needed when false). */
  hasCredentials?(): boolean;
  /** Forgets the credentials (sign-out, a session the server no longer knows). */
  clear?(): void | Promise<void>;
  /** Releases listeners and channels. */
  dispose?(): void;
}

/**
 * The default transport, for same-site apps: the browser sends the session cookie (HttpOnly, out
 * of the page's reach) and, on unsafe requests, the `Origin` header the server's CSRF check reads.
 *
 * @example
 * const client = createPortcullisClient({ baseUrl: '/api/auth', transport: cookieTransport() });
 */
export function cookieTransport(options: { credentials?: RequestCredentials } = {}): Transport {
  const credentials = options.credentials ?? 'include';
  return {
    kind: 'cookie',
    prepare(request) {
      request.init.credentials = credentials;
    },
  };
}
