export { PUBLIC_KEY_REFETCH_SECONDS, verifyGitHubSignature } from './github-signature.js';
export type {
  GitHubLeakReport,
  GitHubPublicKey,
  LeakAction,
  SecretLeakLabel,
} from './secret-scanning.js';
export {
  type FetchGitHubPublicKeys,
  type ResolvedSecretScanningOptions,
  resolveSecretScanningOptions,
  type SecretScanningOptions,
  secretScanningOptionsSchema,
} from './secret-scanning-options.js';
export { MAX_LEAKS_PER_REPORT } from './secret-scanning-schemas.js';
export {
  createSecretScanningService,
  type SecretScanningApi,
  type SecretScanningService,
} from './secret-scanning-service.js';
