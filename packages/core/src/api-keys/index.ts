export { type ApiKeyCache, createApiKeyCache, type RevokedApiKeys } from './api-key-cache.js';
export {
  API_KEY_CHECKSUM_LENGTH,
  API_KEY_RANDOM_LENGTH,
  type ApiKeyPepper,
  apiKeyChecksum,
  generateApiKey,
  hashApiKey,
  type ParsedApiKey,
  parseApiKey,
  resolvePeppers,
} from './api-key-format.js';
export {
  type ApiKeysOptions,
  apiKeysOptionsSchema,
  MAX_API_KEY_OVERLAP_SECONDS,
  type ResolvedApiKeysOptions,
} from './api-key-options.js';
export {
  type CreateApiKeyInput,
  createApiKeyInputSchema,
  MAX_API_KEY_RATE_LIMIT_POLICIES,
  type RotateApiKeyInput,
  rotateApiKeyInputSchema,
  type SetApiKeyLimitsInput,
  setApiKeyLimitsInputSchema,
} from './api-key-schemas.js';
export {
  type ApiKeyAuthorization,
  type ApiKeyService,
  type ApiKeysApi,
  type ApiKeyToAuthorize,
  type ApiKeyWithSecret,
  createApiKeyService,
  type RotatedApiKey,
  type VerifiedApiKey,
  type VerifyApiKeyOptions,
} from './api-key-service.js';
export type { ApiKeyLimitsChange, ApiKeyStore } from './api-key-store.js';
export { type ApiKeyUses, createApiKeyUses } from './api-key-uses.js';
export {
  type ApiKey,
  type ApiKeyCondition,
  type ApiKeyCreditInterval,
  type ApiKeyCredits,
  type ApiKeyRevocationReason,
  type ApiKeyState,
  type ApiKeyStatus,
  type ApiKeySummary,
  creditPeriodStart,
  nextCreditPeriodStart,
} from './api-keys.js';
export { findApiKeyByKey } from './find-api-key.js';
export { readApiKey } from './read-api-key.js';
export { endPredecessorOverlap } from './rotation-overlap.js';
