// The public `@portcullis/core/tokens` subpath: the access-token verifier for resource servers
// (other services, edge functions, a Next.js proxy). Edge-safe: everything behind this file
// imports only `jose`, Web APIs and core's dependency-free error module; a test bundles it for a
// browser-like platform and fails on any Node built-in. It is not the `tokens/` domain's index.ts
// (the issuer side, with storage and Node crypto), which must not leak in here.

export { isAuthError } from '../errors.js';
export {
  AccessTokenError,
  type AccessTokenErrorCode,
  type AccessTokenProblem,
  accessTokenErrorResponse,
  type UserAuthenticationRequirement,
} from './access-token-error.js';
export {
  type AccessTokenRequirements,
  createVerifier,
  type Verifier,
  type VerifierOptions,
} from './create-verifier.js';
export {
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  type AccessTokenPrincipal,
  type ActorClaim,
  type SigningAlgorithm,
} from './tokens.js';
