export { type MemoryKeyValueOptions, memoryKeyValue } from './memory-key-value.js';
export { memoryStorage } from './memory-storage.js';
