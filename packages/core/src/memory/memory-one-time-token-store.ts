import type { OneTimeTokenStore } from '../email-links/one-time-token-store.js';
import {
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The one-time token store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryOneTimeTokenStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): OneTimeTokenStore {
  return {
    create: (token) =>
      run(() => {
        if (tables.oneTimeTokens.has(token.id)) throw conflict('one-time tokens: id exists');
        if (tables.oneTimeTokenIdByTokenHash.has(token.tokenHash))
          throw conflict('one-time tokens: token hash exists');
        writer.set(tables.oneTimeTokens, token.id, copy(token));
        writer.set(tables.oneTimeTokenIdByTokenHash, token.tokenHash, token.id);
      }),
    findByTokenHash: (tokenHash) =>
      run(() => copyOrNull(lookup(tables.oneTimeTokens, tables.oneTimeTokenIdByTokenHash.get(tokenHash)))),
    consume: (id, now) =>
      run(() => {
        const token = tables.oneTimeTokens.get(id);
        if (!token || token.usedAt !== null || token.expiresAt.getTime() <= now.getTime()) return null;
        const next = { ...token, usedAt: new Date(now) };
        writer.set(tables.oneTimeTokens, id, next);
        return copy(next);
      }),
    expireUnused: (userId, purpose, now) =>
      run(() => {
        let count = 0;
        for (const token of tables.oneTimeTokens.values()) {
          if (token.userId !== userId || token.purpose !== purpose || token.usedAt !== null) continue;
          writer.set(tables.oneTimeTokens, token.id, { ...token, usedAt: new Date(now) });
          count += 1;
        }
        return count;
      }),
  };
}
