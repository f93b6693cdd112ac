import { AuthError, type AuthErrorCode } from '../errors.js';

/** The codes a resource server's verifier fails with. */
export type AccessTokenErrorCode = Extract<
  AuthErrorCode,
  | 'unauthenticated'
  | 'access_token_invalid'
  | 'insufficient_scope'
  | 'step_up_required'
  | 'jwks_unavailable'
  | 'storage_unavailable'
>;

/** What a step-up failure asks for (RFC 9470): a newer authentication, a stronger one, or both. */
export interface UserAuthenticationRequirement {
  /** The oldest acceptable `auth_time`, as an age in seconds. */
  maxAgeSeconds?: number;
  /** Acceptable `acr` values, in order of preference. */
  acrValues?: readonly string[];
}

export interface AccessTokenErrorOptions {
  detail: string;
  /** `insufficient_scope`: the scopes the request needs (RFC 6750 §3 `scope`). */
  scopes?: readonly string[];
  /** `step_up_required`: what the user must renew. */
  userAuthentication?: UserAuthenticationRequirement;
  /** RFC 6750 `realm`, when the verifier was given one. */
  realm?: string;
  cause?: unknown;
}

// The problem `type` base and titles of `http/status-codes.ts`: this file must stay edge-safe and
// outside `http/`, so the few it needs are repeated here, and a test pins them to those tables.
export const ACCESS_TOKEN_ERROR_DOCS_URL =
  'https://github.com/portcullis-auth/portcullis/blob/main/docs/errors.md';

export const ACCESS_TOKEN_ERROR_STATUS: Record<AccessTokenErrorCode, number> = {
  unauthenticated: 401,
  access_token_invalid: 401,
  insufficient_scope: 403,
  step_up_required: 401,
  jwks_unavailable: 503,
  storage_unavailable: 503,
};

export const ACCESS_TOKEN_ERROR_TITLE: Record<AccessTokenErrorCode, string> = {
  unauthenticated: 'Authentication required',
  access_token_invalid: 'Invalid access token',
  insufficient_scope: 'Insufficient scope',
  step_up_required: 'Recent authentication required',
  jwks_unavailable: 'Signing keys unavailable',
  storage_unavailable: 'Service temporarily unavailable',
};

/**
 * Why a resource server refused an access token: an {@link AuthError} (so `isAuthError(e,
 * 'access_token_invalid')` works) that also knows its RFC 6750 `WWW-Authenticate` challenge.
 * `detail` says what was wrong for logs and the problem body; it never echoes the token.
 *
 * @example
 * try { principal = await verifier.verify(token) }
 * catch (e) { if (e instanceof AccessTokenError) return accessTokenErrorResponse(e); throw e }
 */
export class AccessTokenError extends AuthError {
  declare readonly code: AccessTokenErrorCode;
  /** The `WWW-Authenticate` header value this failure answers with. */
  readonly challenge: string;
  readonly scopes: readonly string[] | undefined;
  readonly userAuthentication: UserAuthenticationRequirement | undefined;

  constructor(code: AccessTokenErrorCode, options: AccessTokenErrorOptions) {
    const maxAgeSeconds = options.userAuthentication?.maxAgeSeconds;
    super(code, {
      detail: options.detail,
      cause: options.cause,
      // core's own problem renderer (`problemHeaders`) knows step-up by this member
      ...(code === 'step_up_required' && maxAgeSeconds !== undefined ? { stepUp: { maxAgeSeconds } } : {}),
    });
    this.name = 'AccessTokenError';
    this.scopes = options.scopes;
    this.userAuthentication = options.userAuthentication;
    this.challenge = bearerChallenge(code, options);
  }
}

/**
 * The RFC 6750 §3 challenge for a failure: no `error` when no token came at all, `invalid_token`,
 * `insufficient_scope` with the needed `scope`, or RFC 9470 `insufficient_user_authentication`
 * with `acr_values` and `max_age`. A key or revocation-state outage is not the token's fault:
 * no error code, so a client does not throw its token away.
 */
function bearerChallenge(code: AccessTokenErrorCode, options: AccessTokenErrorOptions): string {
  const params: Array<[string, string | number]> = [];
  if (options.realm !== undefined) params.push(['realm', options.realm]);
  switch (code) {
    case 'access_token_invalid':
      params.push(['error', 'invalid_token'], ['error_description', options.detail]);
      break;
    case 'insufficient_scope':
      params.push(['error', 'insufficient_scope'], ['error_description', options.detail]);
      if (options.scopes?.length) params.push(['scope', options.scopes.join(' ')]);
      break;
    case 'step_up_required': {
      params.push(['error', 'insufficient_user_authentication'], ['error_description', options.detail]);
      const { acrValues, maxAgeSeconds } = options.userAuthentication ?? {};
      if (acrValues?.length) params.push(['acr_values', acrValues.join(' ')]);
      if (maxAgeSeconds !== undefined) params.push(['max_age', maxAgeSeconds]);
      break;
    }
    default:
      break;
  }
  if (params.length === 0) return 'Bearer';
  return `Bearer ${params
    .map(([name, value]) => (typeof value === 'number' ? `${name}=${value}` : `${name}="${quoted(value)}"`))
    .join(', ')}`;
}

// RFC 9110 quoted-string: escape `"` and `\`; drop control characters, which no header may carry.
function quoted(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/["\\]/g, '\\$&');
}

/** RFC 9457 problem details for a refused access token, as core's handler shapes its problems. */
export interface AccessTokenProblem {
  type: string;
  title: string;
  status: number;
  code: AccessTokenErrorCode;
  detail: string;
  requestId: string;
  /** `insufficient_scope`: the scopes the request needs. */
  scopes?: readonly string[];
  /** `step_up_required`: the oldest acceptable authentication, in seconds. */
  maxAgeSeconds?: number;
  /** `step_up_required`: acceptable `acr` values. */
  acrValues?: readonly string[];
}

/**
 * A refused access token as a complete Web `Response`: problem+json with a stable `code`, the
 * `WWW-Authenticate` challenge, `Cache-Control: no-store` and `x-request-id` (the given id, or a
 * random UUID).
 *
 * @example
 * if (result instanceof Response) return result // what `verifier.authenticate` already does
 * return accessTokenErrorResponse(error, request.headers.get('x-request-id') ?? undefined)
 */
export function accessTokenErrorResponse(error: AccessTokenError, requestId?: string): Response {
  const id = requestId ?? crypto.randomUUID();
  const status = ACCESS_TOKEN_ERROR_STATUS[error.code];
  const { maxAgeSeconds, acrValues } = error.userAuthentication ?? {};
  const body: AccessTokenProblem = {
    type: `${ACCESS_TOKEN_ERROR_DOCS_URL}#${error.code}`,
    title: ACCESS_TOKEN_ERROR_TITLE[error.code],
    status,
    code: error.code,
    detail: error.detail ?? ACCESS_TOKEN_ERROR_TITLE[error.code],
    requestId: id,
    ...(error.scopes?.length ? { scopes: error.scopes } : {}),
    ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
    ...(acrValues?.length ? { acrValues } : {}),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      'www-authenticate': error.challenge,
      'x-request-id': id,
    },
  });
}
