import type { ServerErrorCode } from './generated/routes.js';

/**
 * The codes a {@link PortcullisClientError} carries: every code of the server's problem+json
 * answers, plus the client's own: `network_error` when no answer came, `invalid_response` when
 * the answer was not what the route declares, and the browser's side of a passkey ceremony
 * (`@portcullis/client/webauthn`): `webauthn_cancelled` (dismissed, timed out or cancelled),
 * `webauthn_unsupported`, `webauthn_failed`.
 */
export type ClientErrorCode =
  | ServerErrorCode
  | 'network_error'
  | 'invalid_response'
  | 'webauthn_cancelled'
  | 'webauthn_unsupported'
  | 'webauthn_failed';

/** One field's complaint in a `invalid_request` answer. */
export interface ClientErrorIssue {
  path: string;
  message: string;
}

/**
 * Every failed call rejects with this one error: the problem+json body's `code`, `status`,
 * `detail` and `requestId`, and `retryAfter` (seconds) from `Retry-After`.
 *
 * @example
 * try {
 *   await client.signIn({ email, password });
 * } catch (error) {
 *   if (isPortcullisClientError(error, 'invalid_credentials')) showWrongPassword();
 *   else throw error;
 * }
 */
export class PortcullisClientError extends Error {
  override readonly name = 'PortcullisClientError';
  readonly code: ClientErrorCode;
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** The server's human-readable detail, when it gave one. */
  readonly detail: string | undefined;
  /** The server's request id (quote it in a support ticket). */
  readonly requestId: string | undefined;
  /** Seconds to wait before trying again (`Retry-After`), when the server said. */
  readonly retryAfter: number | undefined;
  /** Per-field complaints of an `invalid_request`. */
  readonly issues: readonly ClientErrorIssue[] | undefined;
  /** The whole problem body, for members this class does not name (`maxAgeSeconds`, `methods`…). */
  readonly problem: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ClientErrorCode,
    init: {
      status: number;
      detail?: string | undefined;
      requestId?: string | undefined;
      retryAfter?: number | undefined;
      issues?: readonly ClientErrorIssue[] | undefined;
      problem?: Record<string, unknown> | undefined;
      cause?: unknown;
    },
  ) {
    super(
      init.detail ? `${code}: ${init.detail}` : code,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.code = code;
    this.status = init.status;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.issues = init.issues;
    this.problem = init.problem;
  }
}

/** Whether `error` is a {@link PortcullisClientError}, optionally of one code. */
export function isPortcullisClientError(
  error: unknown,
  code?: ClientErrorCode,
): error is PortcullisClientError {
  return error instanceof PortcullisClientError && (code === undefined || error.code === code);
}

/** `Retry-After` as seconds from now: delta-seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The error a non-2xx answer stands for, from its problem+json body when it has one. */
export async function errorFromResponse(response: Response): Promise<PortcullisClientError> {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  const requestHeaderId = response.headers.get('x-request-id') ?? undefined;
  let problem: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = await response.json();
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      problem = parsed as Record<string, unknown>;
    }
  } catch {
    // not JSON: a proxy's error page, say
  }
  const code =
    typeof problem?.code === 'string' ? (problem.code as ClientErrorCode) : codeOfStatus(response.status);
  return new PortcullisClientError(code, {
    status: response.status,
    detail: typeof problem?.detail === 'string' ? problem.detail : undefined,
    requestId: typeof problem?.requestId === 'string' ? problem.requestId : requestHeaderId,
    retryAfter,
    issues: Array.isArray(problem?.issues) ? (problem.issues as ClientErrorIssue[]) : undefined,
    problem,
  });
}

// an answer without a problem body (a proxy's 502, an OAuth endpoint's RFC 6749 error)
function codeOfStatus(status: number): ClientErrorCode {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal_error';
  return 'invalid_response';
}
