export {
  type AccessTokenRevocations,
  createAccessTokenRevocations,
  issuedAtMs,
  type RevokedAccessTokens,
} from './access-token-revocations.js';
export {
  type AccessTokenInput,
  type AccessTokenService,
  type AccessTokenServiceOptions,
  type AccessTokensApi,
  createAccessTokenService,
  type IssuedAccessToken,
  principalOf,
  type VerifyAccessTokenOptions,
} from './access-token-service.js';
export {
  AUTHORIZATION_CODE_TTL_SECONDS,
  type AuthorizationCodeExchange,
  type AuthorizationCodeGrant,
  type AuthorizationCodeService,
  createAuthorizationCodeService,
  S256_CODE_CHALLENGE,
} from './authorization-codes.js';
export {
  findNativeClient,
  isRegisteredRedirectUri,
  type NativeClient,
  redirectUriProblem,
} from './native-clients.js';
// refresh tokens (token mode)
export {
  type RefreshTokensOptions,
  type ResolvedRefreshTokensOptions,
  refreshTokensOptionsSchema,
} from './refresh-token-options.js';
export {
  createRefreshTokenService,
  type IssueTokensOptions,
  type RefreshOptions,
  type RefreshTokenService,
  type RefreshTokensApi,
  type TokenPair,
} from './refresh-token-service.js';
export type { RefreshToken, RefreshTokenStore, RefreshTokenWithSession } from './refresh-token-store.js';
export { parseScopeParameter } from './scope-parameter.js';
export {
  createKeyWrapper,
  generateSigningKeyMaterial,
  type KeyWrapper,
  localSigner,
  type SigningKeyMaterial,
} from './signing-key-material.js';
export {
  createProcessKeyRing,
  createSignerKeyRing,
  type PublishedJwk,
  type SigningKeyRing,
  type VerificationKey,
} from './signing-key-ring.js';
export {
  createSigningKeyService,
  type SigningKeyInfo,
  type SigningKeyIssuerOptions,
  type SigningKeyService,
  type SigningKeysApi,
} from './signing-key-service.js';
export type { SigningKey, SigningKeyState, SigningKeyStore } from './signing-key-store.js';
export {
  createTokenExchangeService,
  type ExchangeTokenInput,
  type ExchangeTokensApi,
  TOKEN_EXCHANGE_PERMISSIONS,
  TOKEN_EXCHANGE_RESOURCE_TYPE,
  type TokenExchangeCaller,
  type TokenExchangeResponse,
  type TokenExchangeService,
} from './token-exchange.js';
export {
  ACCESS_TOKEN_TYPE_URN,
  type ExchangeTokenRequest,
  exchangeTokenInputSchema,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from './token-exchange-schema.js';
export { createTokenIssuers, type IssuerScope, type TokenIssuers } from './token-issuers.js';
export {
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  type ResolvedTokenOptions,
  resolveTokenOptions,
  type TokenOptions,
  tokenOptionsSchema,
} from './token-options.js';
export {
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  type AccessTokenPrincipal,
  type ActorClaim,
  type SigningAlgorithm,
} from './tokens.js';
