export { classifyStorageError, type StorageErrorKind } from './classify-storage-error.js';
export { type WrapStorageOptions, wrapStorage } from './wrap-storage.js';
