import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError, isAuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { recordSessionsRevoked } from '../sessions/index.js';
import { normalizeEmail, type User } from './users.js';

export interface CreateUserInput {
  email: string;
  name?: string | null;
  tenantId?: string | null;
  /** Already hashed with the configured hasher. */
  passwordHash?: string | null;
  emailVerified?: boolean;
}

/**
 * The user operations of `auth.api`. Creating one from server code is `createUser`, declared
 * with the passwords domain: it may set a password, which the password policy must accept.
 */
export interface UsersApi {
  /** The user, whatever their status, or null. */
  getUser(userId: string): Promise<User | null>;
  /**
   * Suspends the user and revokes all their sessions at once, in one transaction: a suspended
   * user cannot sign in. Audited `user.suspended`.
   *
   * @example
   * await auth.api.suspendUser(userId, { actor: { type: 'user', id: adminId } })
   */
  suspendUser(userId: string, context?: CallContext): Promise<User>;
  /** Makes a suspended user active again (their sessions stay revoked). Audited `user.reactivated`. */
  reactivateUser(userId: string, context?: CallContext): Promise<User>;
}

/** The users domain: its `auth.api` operations and the insert every sign-up path shares. */
export interface UserService {
  api: UsersApi;
  /** Inserts a user (and password) on the caller's transaction; `email_taken` on conflict. */
  insertUser(tx: StorageStores, input: CreateUserInput, context: CallContext): Promise<User>;
}

/** What the user service uses. */
export interface UserServiceDeps {
  storage: Storage;
  clock: Clock;
}

export function createUserService(deps: UserServiceDeps): UserService {
  const { storage, clock } = deps;

  async function setStatus(userId: string, status: 'active' | 'suspended', context: CallContext) {
    return storage.transaction(async (tx) => {
      const now = clock.now();
      const user = await tx.users.updateStatus(userId, status, now);
      if (!user) throw new AuthError('not_found', { detail: 'no such user' });
      const revoked =
        status === 'suspended' ? await tx.sessions.revokeAllForUser(userId, now, 'user_suspended') : 0;
      // a suspended user's API keys end in every tenant (reactivation does not bring them back)
      const revokedApiKeys =
        status === 'suspended' ? await tx.apiKeys.revokeOwnedBy(userId, null, now, 'owner_removed') : 0;
      await recordChange(tx, clock, context, {
        tenantId: user.tenantId,
        action: status === 'suspended' ? 'user.suspended' : 'user.reactivated',
        target: { type: 'user', id: userId },
        data: status === 'suspended' ? { revokedSessions: revoked, revokedApiKeys } : {},
      });
      await recordSessionsRevoked(tx, clock, context, { userId, count: revoked, reason: 'user_suspended' });
      return user;
    });
  }

  return {
    api: {
      getUser: (userId) => storage.users.findById(userId),
      suspendUser: (userId, context = {}) => setStatus(userId, 'suspended', context),
      reactivateUser: (userId, context = {}) => setStatus(userId, 'active', context),
    },

    async insertUser(tx, input, context) {
      const now = clock.now();
      const user: User = {
        id: uuidv7(now.getTime()),
        tenantId: input.tenantId ?? null,
        email: input.email.normalize('NFKC').trim(),
        emailVerifiedAt: input.emailVerified ? now : null,
        name: input.name ?? null,
        status: 'active',
        createdAt: now,
        updatedAt: now,
      };
      try {
        await tx.users.create(user);
      } catch (error) {
        if (isAuthError(error, 'conflict')) throw new AuthError('email_taken', { cause: error });
        throw error;
      }
      if (input.passwordHash) await tx.passwords.upsert(user.id, input.passwordHash, now);
      await recordChange(tx, clock, context, {
        tenantId: user.tenantId,
        action: 'user.created',
        actor: context.actor ?? { type: 'user', id: user.id },
        target: { type: 'user', id: user.id },
        data: { emailDomain: normalizeEmail(user.email).split('@')[1] ?? null },
        event: { userId: user.id, email: user.email, tenantId: user.tenantId },
      });
      return user;
    },
  };
}
