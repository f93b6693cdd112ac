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
  type RotateApiKeyInput,
  rotateApiKeyInputSchema,
} from './api-key-schemas.js';
export {
  type ApiKeyService,
  type ApiKeysApi,
  type ApiKeyWithSecret,
  createApiKeyService,
  type RotatedApiKey,
  type VerifiedApiKey,
  type VerifyApiKeyOptions,
} from './api-key-service.js';
export type { ApiKeyStore } from './api-key-store.js';
export { type ApiKeyUses, createApiKeyUses } from './api-key-uses.js';
export type {
  ApiKey,
  ApiKeyCondition,
  ApiKeyRevocationReason,
  ApiKeyState,
  ApiKeyStatus,
  ApiKeySummary,
} from './api-keys.js';
export { findApiKeyByKey } from './find-api-key.js';
export { readApiKey } from './read-api-key.js';
