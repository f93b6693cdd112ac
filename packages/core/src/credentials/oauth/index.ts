export {
  authorizationErrorParams,
  authorizationResponseUri,
  type NativeAuthorizationRequest,
  nativeErrorTarget,
} from './native-authorization.js';
export type { OAuthAccount, OAuthAccountWithUser, OAuthProfile, OAuthStart } from './oauth.js';
export type { OAuthAccountStore } from './oauth-account-store.js';
export {
  type OAuthOptions,
  oauthOptionsSchema,
  type ResolvedOAuthOptions,
  resolveOAuthOptions,
} from './oauth-options.js';
export {
  type GithubProviderOptions,
  type GoogleProviderOptions,
  githubProvider,
  googleProvider,
  type MicrosoftProviderOptions,
  microsoftProvider,
  type OAuth2Provider,
  type OAuthFetch,
  type OAuthProvider,
  type OidcProvider,
  type OidcProviderOptions,
  oidcProvider,
} from './oauth-providers.js';
export {
  oauthCallbackQuerySchema,
  oauthProviderParamsSchema,
  type StartOAuthInput,
  startOAuthInputSchema,
} from './oauth-schemas.js';
export {
  createOAuthService,
  OAUTH_AMR,
  type OAuthApi,
  type OAuthCompleted,
  type OAuthService,
} from './oauth-service.js';
