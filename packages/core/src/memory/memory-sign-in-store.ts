import type { SecondFactors, SignInStore } from '../sign-in/sign-in-store.js';
import { type MemoryTables, type RunOperation, userEmailKey } from './memory-tables.js';

/** The sign-in reads over memory tables (see `memory-tables.ts` for the conventions). */
export function memorySignInStore(tables: MemoryTables, run: RunOperation): SignInStore {
  const hasTotp = (userId: string) => Boolean(tables.totp.get(userId)?.confirmedAt);
  const hasPasskey = (userId: string) => [...tables.passkeys.values()].some((p) => p.userId === userId);
  return {
    findAccountByEmail: (tenantId, normalizedEmail, failureKey) =>
      run(() => {
        const userId = tables.userIdByEmail.get(userEmailKey(tenantId, normalizedEmail));
        const user = userId === undefined ? undefined : tables.users.get(userId);
        if (!user) return null;
        const failures = failureKey === undefined ? undefined : tables.credentialFailures.get(failureKey);
        return {
          user: structuredClone(user),
          passwordHash: tables.passwords.get(user.id)?.hash ?? null,
          failures: failures ? structuredClone(failures) : null,
          hasSecondFactor: hasTotp(user.id) || hasPasskey(user.id),
        };
      }),
    findSecondFactors: (userId) =>
      run(
        (): SecondFactors => ({
          totp: hasTotp(userId),
          recoveryCodes: [...tables.recoveryCodes.values()].some(
            (c) => c.userId === userId && c.usedAt === null,
          ),
          passkeys: hasPasskey(userId),
        }),
      ),
  };
}
