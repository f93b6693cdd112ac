/**
 * Every error Portcullis raises on purpose carries one of these codes. Codes are stable API:
 * clients may branch on them; HTTP status codes live in one table in `http/status-codes.ts`.
 */
export const AUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'not_found',
  'method_not_allowed',
  'unauthenticated',
  'invalid_credentials',
  'session_expired',
  'forbidden',
  'step_up_required',
  'tenant_access_denied',
  'tenant_required',
  'tenant_suspended',
  'csrf_origin_mismatch',
  'conflict',
  'email_taken',
  'slug_taken',
  'password_too_short',
  'password_too_long',
  'password_too_common',
  'password_reused',
  'unknown_role',
  'last_owner',
  'already_member',
  'invitation_invalid',
  'invitation_expired',
  'invitation_used_up',
  'invitation_revoked',
  'invitation_email_mismatch',
  'invitation_requires_signup',
  'email_not_verified',
  'token_invalid',
  'token_expired',
  'token_used',
  'redirect_not_allowed',
  'invalid_mfa_code',
  'mfa_challenge_invalid',
  'mfa_already_enabled',
  'mfa_not_enabled',
  'passkey_challenge_invalid',
  'passkey_verification_failed',
  'passkey_unknown',
  'passkey_counter_regression',
  'oauth_provider_unknown',
  'oauth_state_invalid',
  'oauth_callback_invalid',
  'oauth_provider_unavailable',
  'oauth_account_not_linked',
  'oauth_email_missing',
  'oauth_email_unverified',
  // refresh tokens (token mode)
  'refresh_token_invalid',
  'refresh_token_reused',
  'rate_limited',
  'account_locked',
  'user_suspended',
  'invalid_policy',
  'unknown_permission',
  'policy_limit_reached',
  'role_limit_reached',
  // access tokens at a resource server (@portcullis/core/tokens)
  'access_token_invalid',
  'insufficient_scope',
  'jwks_unavailable',
  'signing_key_not_ready',
  // M2M clients and the OAuth endpoints (RFC 6749 §5.2, RFC 8707): the OAuth routes answer with
  // the code as `error`
  'unknown_scope',
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'invalid_target',
  'unsupported_grant_type',
  // API keys: each refusal its own code, none saying whether another key exists
  'api_key_malformed',
  'api_key_invalid',
  'api_key_wrong_environment',
  'api_key_expired',
  'api_key_revoked',
  // a verified key with a credit quota and none left (429, the quota-exceeded problem type)
  'api_key_credits_exhausted',
  // secret scanning partner alerts (GitHub's): not signed by a known key of the scanner
  'signature_invalid',
  // webhook endpoints: a URL or a resolved address the SSRF guard refuses
  'webhook_url_forbidden',
  'storage_unavailable',
  'schema_not_migrated',
  'config_invalid',
  'internal_error',
] as const;

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

const AUTH_ERROR_BRAND = Symbol.for('portcullis.AuthError');

export interface AuthErrorOptions {
  /** Human-readable detail safe to show to the caller (never secrets, never account existence). */
  detail?: string;
  /** Field-level problems for validation errors. */
  issues?: ReadonlyArray<{ path: string; message: string }>;
  /**
   * Seconds the caller should wait, for `rate_limited`, `account_locked` and
   * `api_key_credits_exhausted` (until the next refill).
   */
  retryAfterSeconds?: number;
  /** For `step_up_required`: the authentication the caller must renew (see `auth.api.checkStepUp`). */
  stepUp?: StepUpRequirement;
  /** For `rate_limited`: the names of the policies the request exceeded. */
  violatedPolicies?: readonly string[];
  /** For a `forbidden` authorization decision: why it denied (`{ kind: 'no_rule' }`, a deny policy…). */
  reason?: { readonly kind: string };
  cause?: unknown;
}

/**
 * How recent the session's authentication must be: within `maxAgeSeconds`, and, when `methods`
 * are given, by one of those methods (RFC 8176 `amr` values such as `pwd`, `otp`, `hwk`).
 */
export interface StepUpRequirement {
  maxAgeSeconds: number;
  methods?: readonly string[];
}

/**
 * The one error class of Portcullis. Check with {@link isAuthError} rather than `instanceof`,
 * which fails when two copies of the package (ESM and CJS) meet.
 *
 * @example
 * try { await auth.api.signIn({ email, password }) }
 * catch (e) { if (isAuthError(e, 'invalid_credentials')) showLoginError() }
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly detail: string | undefined;
  readonly issues: ReadonlyArray<{ path: string; message: string }> | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly stepUp: StepUpRequirement | undefined;
  readonly reason: { readonly kind: string } | undefined;
  readonly violatedPolicies: readonly string[] | undefined;
  readonly [AUTH_ERROR_BRAND] = true;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    super(options.detail ? `${code}: ${options.detail}` : code, { cause: options.cause });
    this.name = 'AuthError';
    this.code = code;
    this.detail = options.detail;
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.stepUp = options.stepUp;
    this.reason = options.reason;
    this.violatedPolicies = options.violatedPolicies;
  }
}

/** True when `error` is an {@link AuthError}, optionally with the given code. */
export function isAuthError(error: unknown, code?: AuthErrorCode): error is AuthError {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { [AUTH_ERROR_BRAND]?: unknown })[AUTH_ERROR_BRAND] !== true) return false;
  return code === undefined || (error as AuthError).code === code;
}
