import type { UserStore } from '../users/user-store.js';
import { normalizeEmail, userPoolKey } from '../users/users.js';
import {
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  pairKey,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The user store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryUserStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): UserStore {
  const findByEmail = (tenantId: string | null, normalizedEmail: string) =>
    lookup(tables.users, tables.userIdByEmail.get(userEmailKey(tenantId, normalizedEmail)));
  return {
    create: (user) =>
      run(() => {
        const emailKey = userEmailKey(user.tenantId, normalizeEmail(user.email));
        if (tables.users.has(user.id)) throw conflict('users: id exists');
        if (tables.userIdByEmail.has(emailKey)) throw conflict('users: email exists in this pool');
        writer.set(tables.users, user.id, copy(user));
        writer.set(tables.userIdByEmail, emailKey, user.id);
      }),
    findById: (id) => run(() => copyOrNull(tables.users.get(id))),
    findByEmail: (tenantId, normalizedEmail) => run(() => copyOrNull(findByEmail(tenantId, normalizedEmail))),
    findByEmailWithPassword: (tenantId, normalizedEmail, failureKey) =>
      run(() => {
        const user = findByEmail(tenantId, normalizedEmail);
        if (!user) return null;
        const failures = failureKey === undefined ? undefined : tables.credentialFailures.get(failureKey);
        return {
          user: copy(user),
          passwordHash: tables.passwords.get(user.id)?.hash ?? null,
          failures: failures ? structuredClone(failures) : null,
          hasSecondFactor:
            Boolean(tables.totp.get(user.id)?.confirmedAt) ||
            [...tables.passkeys.values()].some((passkey) => passkey.userId === user.id),
        };
      }),
    updateStatus: (id, status, updatedAt) =>
      run(() => {
        const current = tables.users.get(id);
        if (!current) return null;
        const next = { ...current, status, updatedAt: new Date(updatedAt) };
        writer.set(tables.users, id, next);
        return copy(next);
      }),
    markEmailVerified: (id, email, verifiedAt) =>
      run(() => {
        const current = tables.users.get(id);
        if (!current || current.email !== email || current.emailVerifiedAt !== null) return false;
        const at = new Date(verifiedAt);
        writer.set(tables.users, id, { ...current, emailVerifiedAt: at, updatedAt: new Date(at) });
        return true;
      }),
  };
}

/** The unique key of a user's email: its pool (tenant id or the shared pool) and normalized email. */
function userEmailKey(tenantId: string | null, normalizedEmail: string): string {
  return pairKey(userPoolKey(tenantId), normalizedEmail);
}
