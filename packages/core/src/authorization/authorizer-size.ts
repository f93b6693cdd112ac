import type { AuthorizerInput } from './authorizer.js';

/** What every compiled authorizer holds whatever its rules: its maps, closures and object headers. */
const BASE_BYTES = 2048;
/**
 * Heap per character of rule text: compiled closures, lookup maps and the kept policy objects
 * take a few times the JSON they came from.
 */
const BYTES_PER_CHARACTER = 4;

/**
 * An estimate of the memory a tenant's compiled authorizer takes, from the size of what it was
 * compiled from (roles' permissions, policies as JSON, global policies included): what the
 * compiled-rules cache counts against `authorization.compiledCacheBytes`. Estimated, not measured:
 * it is proportional to what compiling produces, which is what a memory bound needs.
 */
export function estimateAuthorizerBytes(input: AuthorizerInput): number {
  let characters = 0;
  for (const role of input.roles) {
    characters += role.key.length + role.id.length;
    for (const permission of role.permissions) characters += permission.length + 8;
  }
  for (const policy of input.policies) characters += JSON.stringify(policy).length;
  return BASE_BYTES + characters * BYTES_PER_CHARACTER;
}
