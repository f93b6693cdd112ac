import type { Session } from '../sessions/sessions.js';
import type { RefreshToken, RefreshTokenStore } from '../tokens/refresh-token-store.js';
import {
  conflict,
  copy,
  lookup,
  type MemoryTables,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The refresh-token store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryRefreshTokenStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): RefreshTokenStore {
  const update = (token: RefreshToken, changes: Partial<RefreshToken>) =>
    writer.set(tables.refreshTokens, token.id, { ...token, ...changes });
  const sessionIsActive = (token: RefreshToken, now: Date) => {
    const session = tables.sessions.get(token.sessionId);
    return session !== undefined && isActive(session, now);
  };
  return {
    create: (token) =>
      run(() => {
        if (tables.refreshTokens.has(token.id)) throw conflict('refresh_tokens: id exists');
        if (tables.refreshTokenIdByTokenHash.has(token.tokenHash))
          throw conflict('refresh_tokens: token hash exists');
        writer.set(tables.refreshTokens, token.id, copy(token));
        writer.set(tables.refreshTokenIdByTokenHash, token.tokenHash, token.id);
      }),
    findByTokenHash: (tokenHash) =>
      run(() => {
        const token = lookup(tables.refreshTokens, tables.refreshTokenIdByTokenHash.get(tokenHash));
        const session = token ? tables.sessions.get(token.sessionId) : undefined;
        return token && session ? { token: copy(token), session: copy(session) } : null;
      }),
    claimRotation: (tokenId, childId, now) =>
      run(() => {
        const token = tables.refreshTokens.get(tokenId);
        if (!token || token.rotatedAt !== null || token.revokedAt !== null) return false;
        if (token.expiresAt.getTime() <= now.getTime() || !sessionIsActive(token, now)) return false;
        update(token, { rotatedAt: new Date(now), replacedById: childId });
        return true;
      }),
    claimGraceReplay: (tokenId, rotatedSince, maxReplays, now) =>
      run(() => {
        const token = tables.refreshTokens.get(tokenId);
        if (!token || token.rotatedAt === null || token.revokedAt !== null) return false;
        if (token.rotatedAt.getTime() < rotatedSince.getTime() || token.graceReplays >= maxReplays)
          return false;
        if (!sessionIsActive(token, now)) return false;
        update(token, { graceReplays: token.graceReplays + 1 });
        return true;
      }),
    revokeFamily: (familyId, revokedAt, reason) =>
      run(() => {
        let revoked = 0;
        for (const token of tables.refreshTokens.values()) {
          if (token.familyId !== familyId || token.revokedAt !== null) continue;
          update(token, { revokedAt: new Date(revokedAt), revokedReason: reason });
          revoked += 1;
        }
        return revoked;
      }),
  };
}

function isActive(session: Session, now: Date): boolean {
  return (
    session.revokedAt === null &&
    session.expiresAt.getTime() > now.getTime() &&
    session.idleExpiresAt.getTime() > now.getTime()
  );
}
