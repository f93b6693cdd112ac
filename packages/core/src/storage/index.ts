export { chunked, IDS_PER_STATEMENT } from './chunked.js';
export { classifyStorageError, type StorageErrorKind } from './classify-storage-error.js';
export { fallbackKeyValue, sharedKeyValue } from './fallback-key-value.js';
export { type AuthHealth, createHealthCheck } from './health-check.js';
export { lazyStores, STORE_NAMES, storeMethodNames } from './lazy-stores.js';
export { wrapKeyValue } from './wrap-key-value.js';
export { type WrapStorageOptions, wrapStorage } from './wrap-storage.js';
