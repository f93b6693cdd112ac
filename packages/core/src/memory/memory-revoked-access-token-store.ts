import type { RevokedAccessTokenStore } from '../tokens/revoked-access-token-store.js';
import type { MemoryTables, RunOperation, TableWriter } from './memory-tables.js';

/** The revoked-access-token store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryRevokedAccessTokenStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): RevokedAccessTokenStore {
  return {
    add: (revoked) =>
      run(() => {
        if (!tables.revokedAccessTokens.has(revoked.tokenId))
          writer.set(tables.revokedAccessTokens, revoked.tokenId, { ...revoked });
      }),
    isRevoked: (tokenId, now) =>
      run(() => {
        const found = tables.revokedAccessTokens.get(tokenId);
        return found !== undefined && found.expiresAt.getTime() > now.getTime();
      }),
  };
}
