import type { ApiKeysApi } from '../api-keys/index.js';
import type { AuditApi } from '../audit/index.js';
import type { AuthorizationApi, PoliciesApi, RolesApi } from '../authorization/index.js';
import type { ClientsApi, ClientTokensApi } from '../clients/index.js';
import type { OAuthApi } from '../credentials/oauth/index.js';
import type { PasskeysApi } from '../credentials/passkeys/index.js';
import type { PasswordsApi } from '../credentials/passwords/index.js';
import type { TotpApi } from '../credentials/totp/index.js';
import type { EmailLinksApi } from '../email-links/index.js';
import type { InvitationsApi } from '../invitations/index.js';
import type { MembersApi } from '../memberships/index.js';
import type { RateLimitOverridesApi } from '../rate-limit/index.js';
import type { SecretScanningApi } from '../secret-scanning/index.js';
import type { SessionsApi } from '../sessions/index.js';
import type { SignInApi } from '../sign-in/index.js';
import type { TenantsApi } from '../tenants/index.js';
import type {
  AccessTokensApi,
  ExchangeTokensApi,
  RefreshTokensApi,
  SigningKeysApi,
} from '../tokens/index.js';
import type { UsersApi } from '../users/index.js';

/**
 * Server-side operations: the same validation, rate limits, audit and outbox as the HTTP routes,
 * without HTTP. Pass a `CallContext` to record the actor and client of a call. Each domain
 * declares and documents its own operations; this is their sum, and `createAuth()` composes
 * `auth.api` from the domains' services the same way.
 *
 * @example
 * const { user, token } = await auth.api.signIn({ email, password }, { ip })
 * const current = await auth.api.getSession(request) // null when signed out
 */
export interface AuthApi
  extends PasswordsApi,
    SignInApi,
    TotpApi,
    SessionsApi,
    UsersApi,
    TenantsApi,
    MembersApi,
    InvitationsApi,
    RolesApi,
    PoliciesApi,
    AuthorizationApi,
    AuditApi,
    EmailLinksApi,
    PasskeysApi,
    OAuthApi,
    AccessTokensApi,
    SigningKeysApi,
    RefreshTokensApi,
    ClientsApi,
    ClientTokensApi,
    ApiKeysApi,
    RateLimitOverridesApi,
    SecretScanningApi,
    ExchangeTokensApi {}
