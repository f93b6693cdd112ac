import type { MfaStore } from '../credentials/totp/mfa-store.js';
import { AuthError } from '../errors.js';
import type { MemoryTables, RunOperation, TableWriter } from './memory-tables.js';

/** The second-factor store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryMfaStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): MfaStore {
  const codesOf = (userId: string) => [...tables.recoveryCodes.values()].filter((c) => c.userId === userId);
  return {
    findTotp: (userId) =>
      run(() => {
        const found = tables.totp.get(userId);
        return found ? structuredClone(found) : null;
      }),
    createTotp: (credential) =>
      run(() => {
        if (tables.totp.has(credential.userId)) {
          throw new AuthError('conflict', { cause: new Error('totp: user has one') });
        }
        writer.set(tables.totp, credential.userId, structuredClone(credential));
      }),
    deletePendingTotp: (userId) =>
      run(() => {
        const found = tables.totp.get(userId);
        if (!found || found.confirmedAt) return false;
        writer.delete(tables.totp, userId);
        return true;
      }),
    confirmTotp: (userId, step, confirmedAt) =>
      run(() => {
        const found = tables.totp.get(userId);
        if (!found || found.confirmedAt) return false;
        const at = new Date(confirmedAt);
        writer.set(tables.totp, userId, { ...found, confirmedAt: at, lastUsedStep: step, updatedAt: at });
        return true;
      }),
    claimTotpStep: (userId, step, at) =>
      run(() => {
        const found = tables.totp.get(userId);
        if (!found?.confirmedAt) return false;
        if (found.lastUsedStep !== null && found.lastUsedStep >= step) return false;
        writer.set(tables.totp, userId, { ...found, lastUsedStep: step, updatedAt: new Date(at) });
        return true;
      }),
    deleteTotp: (userId) =>
      run(() => {
        if (!tables.totp.has(userId)) return false;
        writer.delete(tables.totp, userId);
        return true;
      }),
    replaceRecoveryCodes: (userId, codes) =>
      run(() => {
        const hashes = new Set<string>();
        for (const code of codes) {
          if (code.userId !== userId || hashes.has(code.codeHash) || tables.recoveryCodes.has(code.id)) {
            throw new AuthError('conflict', { cause: new Error('recovery_codes: duplicate') });
          }
          hashes.add(code.codeHash);
        }
        for (const old of codesOf(userId)) writer.delete(tables.recoveryCodes, old.id);
        for (const code of codes) writer.set(tables.recoveryCodes, code.id, structuredClone(code));
      }),
    useRecoveryCode: (userId, codeHash, usedAt) =>
      run(() => {
        const found = codesOf(userId).find((c) => c.codeHash === codeHash && c.usedAt === null);
        if (!found) return false;
        writer.set(tables.recoveryCodes, found.id, { ...found, usedAt: new Date(usedAt) });
        return true;
      }),
    countUnusedRecoveryCodes: (userId) => run(() => codesOf(userId).filter((c) => c.usedAt === null).length),
    deleteRecoveryCodes: (userId) =>
      run(() => {
        const codes = codesOf(userId);
        for (const code of codes) writer.delete(tables.recoveryCodes, code.id);
        return codes.length;
      }),
  };
}
