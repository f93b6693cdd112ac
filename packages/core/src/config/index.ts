export { type AuthConfig, authConfigSchema } from './auth-config.js';
export { type ResolvedConfig, resolveConfig } from './resolve-config.js';
