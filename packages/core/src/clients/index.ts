export {
  type AuthenticatedClient,
  CLIENT_AUTH_METHODS,
  type ClientAuthenticationMethod,
  type ClientAuthenticator,
  type ClientCredentials,
  createClientAuthenticator,
  JWT_BEARER_ASSERTION_TYPE,
  parseBasicAuthorization,
} from './client-authentication.js';
export {
  type ClientsOptions,
  clientsOptionsSchema,
  type ResolvedClientsOptions,
  scopeNameSchema,
} from './client-options.js';
export {
  type CreateClientInput,
  createClientInputSchema,
  type RotateClientSecretInput,
  rotateClientSecretInputSchema,
} from './client-schemas.js';
export {
  type ClientService,
  type ClientsApi,
  type ClientWithSecret,
  createClientService,
} from './client-service.js';
export type { ClientStore } from './client-store.js';
export {
  type AuthorizationServerMetadata,
  type ClientTokenRequest,
  type ClientTokenResponse,
  type ClientTokenService,
  type ClientTokenServiceOptions,
  type ClientTokensApi,
  createClientTokenService,
  type IntrospectionResponse,
  OAUTH_GRANT_TYPES,
  type OAuthServerUrls,
  oauthServerUrls,
} from './client-token-service.js';
export type {
  Client,
  ClientAuthMethod,
  ClientSecretSlot,
  ClientStatus,
  ClientSummary,
  JsonWebKeyObject,
} from './clients.js';
