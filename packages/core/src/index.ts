export * from './ports/index.js';
export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode, type AuthErrorOptions, isAuthError } from './errors.js';
export { normalizeEmail, SHARED_POOL, userPoolKey } from './users/users.js';
export { classifyStorageError, type StorageErrorKind, type WrapStorageOptions, wrapStorage } from './storage/index.js';
export { constantTimeEqual, generateToken, sha256Hex, uuidv7 } from './crypto/index.js';
