import { uuidv7 } from '../crypto/uuid.js';
import { type AuthError, type AuthErrorCode, isAuthError, type StepUpRequirement } from '../errors.js';
import type { EventLogger } from '../logging/event-logger.js';
import type { RateLimitState } from '../rate-limit/index.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { problemType, STATUS_BY_CODE, TITLE_BY_CODE } from './status-codes.js';

/** RFC 9457 problem details, with Portcullis's stable `code` and the request id. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  requestId: string;
  issues?: ReadonlyArray<{ path: string; message: string }>;
  /** `step_up_required`: the oldest acceptable authentication, in seconds. */
  maxAgeSeconds?: number;
  /** `step_up_required`: the methods (RFC 8176 `amr` values) that can satisfy it, when limited. */
  methods?: readonly string[];
  /** `forbidden` by an authorization decision: the decision's reason. */
  reason?: { readonly kind: string };
  /** `rate_limited`: the policies exceeded (draft-ietf-httpapi-ratelimit-headers, "Quota Exceeded"). */
  'violated-policies'?: readonly string[];
}

/**
 * The problem type of draft-ietf-httpapi-ratelimit-headers ("Quota Exceeded"), which a
 * `rate_limited` or `api_key_credits_exhausted` problem carries instead of its documentation
 * link; `code` tells them apart.
 */
export const QUOTA_EXCEEDED_PROBLEM_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

const QUOTA_EXCEEDED_CODES = new Set<AuthErrorCode>(['rate_limited', 'api_key_credits_exhausted']);

export function problemBody(error: AuthError, requestId: string): ProblemBody {
  const status = STATUS_BY_CODE[error.code];
  return {
    type: QUOTA_EXCEEDED_CODES.has(error.code) ? QUOTA_EXCEEDED_PROBLEM_TYPE : problemType(error.code),
    title: TITLE_BY_CODE[error.code],
    status,
    code: error.code,
    // a server error's detail may describe internals; a missing schema's names the command to run
    ...(error.detail && (status < 500 || error.code === 'schema_not_migrated')
      ? { detail: error.detail }
      : {}),
    requestId,
    ...(error.issues ? { issues: error.issues } : {}),
    ...(error.stepUp ? stepUpMembers(error.stepUp) : {}),
    ...(error.reason ? { reason: error.reason } : {}),
    ...(error.violatedPolicies?.length ? { 'violated-policies': error.violatedPolicies } : {}),
  };
}

function stepUpMembers({ maxAgeSeconds, methods }: StepUpRequirement) {
  return { maxAgeSeconds, ...(methods?.length ? { methods } : {}) };
}

/**
 * The headers an error adds to its problem response, wherever it is sent (core's handler, the
 * Express and Next.js helpers): `Retry-After` for rate limits, credit quotas and lockouts, the
 * `RateLimit-Policy` / `RateLimit` fields of the policies that counted a limited operation, and
 * for `step_up_required` the RFC 9470 challenge {@link stepUpChallenge}.
 */
export function problemHeaders(error: AuthError): Array<[name: string, value: string]> {
  const headers: Array<[string, string]> = [];
  if (error.retryAfterSeconds !== undefined) headers.push(['retry-after', String(error.retryAfterSeconds)]);
  if (error.stepUp) headers.push(['www-authenticate', stepUpChallenge(error.stepUp)]);
  const limited = rateLimitStateOf(error);
  const fields = limited ? rateLimitHeaders([limited]) : null;
  if (fields) headers.push(['ratelimit-policy', fields.policy], ['ratelimit', fields.limit]);
  return headers;
}

/** The limiter's state a refused limited operation carries (see `RateLimiter.consume`), if any. */
export function rateLimitStateOf(error: unknown): RateLimitState | undefined {
  return (error as { rateLimit?: RateLimitState } | null)?.rateLimit;
}

/**
 * The RFC 9470 step-up challenge:
 * `Bearer error="insufficient_user_authentication", error_description="…", max_age=300`.
 *
 * RFC 9470 names required methods through `acr_values`, which carries authentication *context
 * class* references (for example `urn:mace:incommon:iap:silver`), not the RFC 8176 *method*
 * values (`pwd`, `otp`, `hwk`) a requirement here lists; one is not the other, so no `acr_values`
 * is sent. The methods are named in `error_description` and, machine-readably, in the problem
 * body's `methods` member.
 */
export function stepUpChallenge({ maxAgeSeconds, methods }: StepUpRequirement): string {
  // methods are validated as [A-Za-z0-9_-] tokens, so they are safe inside the quoted string
  const description = methods?.length
    ? `Authenticate again with one of: ${methods.join(', ')}`
    : 'A more recent authentication is required';
  return `Bearer error="insufficient_user_authentication", error_description="${description}", max_age=${maxAgeSeconds}`;
}

/**
 * An {@link AuthError} as a complete Web `Response`, exactly as core's handler answers it:
 * problem+json body, status, `Cache-Control: no-store`, `x-request-id` and {@link problemHeaders}.
 *
 * @example
 * // a Next.js route handler
 * if (!allowed) return problemResponse(new AuthError('forbidden'))
 */
export function problemResponse(error: AuthError, requestId: string = uuidv7()): Response {
  const headers = new Headers({
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    'x-request-id': requestId,
  });
  for (const [name, value] of problemHeaders(error)) headers.set(name, value);
  const body = problemBody(error, requestId);
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

/** Any thrown value as a problem; unexpected errors are logged and answered as a bare 500. */
export function toProblem(error: unknown, requestId: string, logger: EventLogger): ProblemBody {
  if (isAuthError(error)) {
    if (STATUS_BY_CODE[error.code] >= 500) {
      logger.error('portcullis.request.failed', { requestId, code: error.code, error: describe(error) });
    }
    return problemBody(error, requestId);
  }
  logger.error('portcullis.request.unexpected_error', { requestId, error: describe(error) });
  return {
    type: problemType('internal_error'),
    title: TITLE_BY_CODE.internal_error,
    status: 500,
    code: 'internal_error',
    requestId,
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
