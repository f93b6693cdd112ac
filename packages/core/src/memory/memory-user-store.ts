import type { UserStore } from '../users/user-store.js';
import { normalizeEmail } from '../users/users.js';
import {
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  type RunOperation,
  type TableWriter,
  userEmailKey,
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
    // transactions run one at a time here: existing is all a lock needs to report
    lock: (id) => run(() => tables.users.has(id)),
    findByEmail: (tenantId, normalizedEmail) => run(() => copyOrNull(findByEmail(tenantId, normalizedEmail))),
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
