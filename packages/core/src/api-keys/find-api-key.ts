import { type ApiKeyPepper, hashApiKey } from './api-key-format.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { ApiKey } from './api-keys.js';

/**
 * The stored key whose hash under one of `peppers` (newest first, see `resolvePeppers`) is the
 * presented key's, in any tenant and of any status, with its standing (see
 * `ApiKeyStore.findByHash`); null when none. One indexed lookup per pepper, the current one
 * first; a row found under another pepper's hash is not this key. Check the key's format first
 * (`parseApiKey`): this is the storage half of verification.
 */
export async function findApiKeyByKey(
  store: Pick<ApiKeyStore, 'findByHash'>,
  peppers: readonly ApiKeyPepper[],
  key: string,
): Promise<{ key: ApiKey; standing: boolean } | null> {
  for (const pepper of peppers) {
    const found = await store.findByHash(hashApiKey(key, pepper));
    if (found && found.key.pepperVersion === pepper.version) return found;
  }
  return null;
}
