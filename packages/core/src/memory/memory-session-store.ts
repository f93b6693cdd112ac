import type { SessionStore } from '../sessions/session-store.js';
import { type Session, withAuthentication } from '../sessions/sessions.js';
import {
  compare,
  conflict,
  copy,
  lookup,
  type MemoryTables,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The session store over memory tables (see `memory-tables.ts` for the conventions). */
export function memorySessionStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): SessionStore {
  const update = (session: Session, changes: Partial<Session>) =>
    writer.set(tables.sessions, session.id, { ...session, ...changes });
  return {
    create: (session) =>
      run(() => {
        if (tables.sessions.has(session.id)) throw conflict('sessions: id exists');
        if (tables.sessionIdByTokenHash.has(session.tokenHash)) throw conflict('sessions: token hash exists');
        writer.set(tables.sessions, session.id, copy(session));
        writer.set(tables.sessionIdByTokenHash, session.tokenHash, session.id);
      }),
    findActiveByTokenHash: (tokenHash, now) =>
      run(() => {
        const session = lookup(tables.sessions, tables.sessionIdByTokenHash.get(tokenHash));
        const user = session && isActive(session, now) ? tables.users.get(session.userId) : undefined;
        return session && user ? { session: copy(session), user: copy(user) } : null;
      }),
    // transactions run one at a time here: existing is all a lock needs to report
    lock: (id) => run(() => tables.sessions.has(id)),
    touch: (sessionId, lastSeenAt, idleExpiresAt) =>
      run(() => {
        const session = tables.sessions.get(sessionId);
        if (session)
          update(session, { lastSeenAt: new Date(lastSeenAt), idleExpiresAt: new Date(idleExpiresAt) });
      }),
    recordAuthentication: (sessionId, method, at) =>
      run(() => {
        const session = tables.sessions.get(sessionId);
        if (!session || session.revokedAt !== null) return null;
        const next: Session = { ...session, ...withAuthentication(session, method, at) };
        writer.set(tables.sessions, sessionId, next);
        return copy(next);
      }),
    listActiveByUser: (userId, now) =>
      run(() =>
        [...tables.sessions.values()]
          .filter((session) => session.userId === userId && isActive(session, now))
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compare(b.id, a.id))
          .map(copy),
      ),
    revoke: (userId, sessionId, revokedAt, reason) =>
      run(() => {
        const session = tables.sessions.get(sessionId);
        if (!session || session.userId !== userId || session.revokedAt !== null) return false;
        update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
        return true;
      }),
    revokeAllForUser: (userId, revokedAt, reason, exceptSessionId) =>
      run(() => {
        let revoked = 0;
        for (const session of tables.sessions.values()) {
          if (session.userId !== userId || session.revokedAt !== null || session.id === exceptSessionId)
            continue;
          update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
          revoked += 1;
        }
        return revoked;
      }),
    revokeAllForTenant: (tenantId, revokedAt, reason) =>
      run(() => {
        let revoked = 0;
        for (const session of tables.sessions.values()) {
          if (session.tenantId !== tenantId || session.revokedAt !== null) continue;
          update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
          revoked += 1;
        }
        return revoked;
      }),
    revokeAllForTenantMember: (tenantId, userId, revokedAt, reason) =>
      run(() => {
        let revoked = 0;
        for (const session of tables.sessions.values()) {
          if (session.tenantId !== tenantId || session.userId !== userId || session.revokedAt !== null)
            continue;
          update(session, { revokedAt: new Date(revokedAt), revokedReason: reason });
          revoked += 1;
        }
        return revoked;
      }),
  };
}

function isActive(session: Session, now: Date): boolean {
  const nowMs = now.getTime();
  return (
    session.revokedAt === null &&
    session.expiresAt.getTime() > nowMs &&
    session.idleExpiresAt.getTime() > nowMs
  );
}
