import type { OperationId } from './generated/routes.js';

/** A request the client is about to send; a transport adds credentials to it. */
export interface OutgoingRequest {
  operationId: OperationId;
  url: string;
  init: RequestInit & { headers: Headers };
  /** The JSON body, before it is serialized (a transport may add to it, e.g. `delivery: 'token'`). */
  body: Record<string, unknown> | undefined;
}

/**
 * How the client proves who it is. `cookie` (the default) lets the browser send the session
 * cookie; `token` keeps an access token in memory and refreshes it.
 */
export interface Transport {
  readonly kind: 'cookie' | 'token';
  /** Adds credentials to a request about to be sent. */
  prepare(request: OutgoingRequest): void | Promise<void>;
  /**
   * Sees a 401 answer; resolves `true` when it recovered (a refreshed access token) and the call
   * should be sent once more.
   */
  recover?(request: OutgoingRequest, status: number, code: string): Promise<boolean>;
  /** Sees every successful answer (a token-mode sign-in carries the token pair). */
  receive?(operationId: OperationId, body: unknown): void;
  /** Whether the transport holds credentials that may be a session (no fetch needed when false). */
  hasCredentials?(): boolean;
  /** Forgets the credentials (sign-out, a refresh that failed). */
  clear?(): void;
  /** Releases listeners and channels. */
  dispose?(): void;
}

/** The default transport: same-site apps, the browser sends the session cookie and `Origin`. */
export function cookieTransport(options: { credentials?: RequestCredentials } = {}): Transport {
  const credentials = options.credentials ?? 'include';
  return {
    kind: 'cookie',
    prepare(request) {
      request.init.credentials = credentials;
    },
  };
}
