import { recordChange } from '../../audit/index.js';
import type { CallContext } from '../../call-context.js';
import { AuthError, isAuthError } from '../../errors.js';
import type { InvitationService } from '../../invitations/index.js';
import { newMembership } from '../../memberships/memberships.js';
import type { Clock } from '../../ports/clock.js';
import type { Storage, StorageStores } from '../../ports/storage.js';
import { failureAccountKey, type Lockout, type RateLimiter } from '../../rate-limit/index.js';
import {
  credentialChangeEvent,
  recordSessionsRevoked,
  requireFreshAuthentication,
  type SessionService,
} from '../../sessions/index.js';
import type { Session, SessionWithUser } from '../../sessions/sessions.js';
import { type MfaRequired, rememberDevice, type SignedIn, type SignInService } from '../../sign-in/index.js';
import type { TenantService } from '../../tenants/index.js';
import type { Tenant } from '../../tenants/tenants.js';
import type { ResolvedSignupOptions, UserService } from '../../users/index.js';
import { normalizeEmail, type User } from '../../users/users.js';
import { parseInput } from '../../validation.js';
import type { PasswordHasher } from './password-hasher.js';
import type { ResolvedPasswordOptions } from './password-options.js';
import { normalizeAndCheckPassword, normalizePasswordForVerify } from './password-policy.js';
import {
  type ChangePasswordInput,
  changePasswordInputSchema,
  createUserInputSchema,
  type ReauthenticateInput,
  reauthenticateInputSchema,
  type SignInInput,
  type SignUpInput,
  signInInputSchema,
  signUpInputSchema,
} from './password-schemas.js';

/** Sign-up in `notify` mode: nothing reveals whether the email was new. */
export interface SignUpPending {
  pending: true;
}

/** Input of {@link PasswordsApi.createUser}. */
export interface CreateUserRequest {
  email: string;
  password?: string;
  name?: string;
  /** An isolated-pool tenant the user belongs to; omit for the shared pool. */
  tenantId?: string;
  emailVerified?: boolean;
}

/**
 * The password operations of `auth.api`: accounts created with a password (by sign-up or by
 * server code), sign-in, password change and step-up with the password.
 */
export interface PasswordsApi {
  /**
   * Creates a user with a password and signs them in (or `{ pending }` in notify mode). With
   * `invitationToken`, the invitation is accepted in the same transaction (the user is created in
   * the tenant's pool when it is isolated); a bad token fails the sign-up with nothing written.
   *
   * @example
   * const { user, token } = await auth.api.signUp({ email, password, name }, auth.callContext(headers))
   */
  signUp(input: SignUpInput, context?: CallContext): Promise<SignedIn | SignUpPending>;
  /**
   * Verifies email and password and opens a new session (a new token at every sign-in). Wrong
   * passwords count on the account's password failure counter: the one of this browser when
   * `context.device.cookie` names it as one that signed in before, else the one unknown clients
   * share (`account_locked`, docs/credentials.md "Account protection"). When the
   * user has a confirmed second factor, no session is opened: the answer is
   * `{ mfaRequired: true, challengeId, methods }`, to complete with `verifyMfa` within 5 minutes.
   *
   * @example
   * const result = await auth.api.signIn({ email, password }, context)
   * if ('mfaRequired' in result) return askForCode(result.challengeId, result.methods)
   */
  signIn(input: SignInInput, context?: CallContext): Promise<SignedIn | MfaRequired>;
  /**
   * Changes the session user's password after checking the current one (counted by the
   * account's re-authentication failure counter, apart from sign-in's; `invalid_credentials`
   * when wrong). The session's authentication must be at most 5 minutes old
   * (`step_up_required` otherwise: see `POST /reauthenticate`). The new one must pass the
   * policy and differ from the current one (`password_reused`). Revokes every other session of
   * the user unless `revokeOtherSessions: false`. Rate-limited per user (`passwordChange`).
   * Audited `password.changed`; the owner is mailed.
   *
   * @example
   * const { revokedSessions } = await auth.api.changePassword(current.session, { currentPassword, newPassword })
   */
  changePassword(
    session: Session,
    input: ChangePasswordInput,
    context?: CallContext,
  ): Promise<{ revokedSessions: number }>;
  /**
   * Step-up with the password: the user signed in with `session` (its token, or the
   * `{ session, user }` that `getSession` or `validateSessionToken` returned, as for a bearer
   * access token's session) proves the password again, and that session records it (`authTime.pwd` = now, `pwd` added to `amr`), so `checkStepUp`
   * passes again. Rate-limited like sign-in (`rate_limited`) and counted by the account's
   * re-authentication failure counter (`account_locked`), so a stolen session guessing here
   * never locks the owner's sign-in; a wrong password is `invalid_credentials`, an invalid
   * session `unauthenticated`. Audited as `session.reauthenticated`.
   *
   * @example
   * const { session } = await auth.api.reauthenticate(token, { password }, auth.callContext(headers))
   * session.authTime.pwd // now, in epoch seconds
   */
  reauthenticate(
    session: string | SessionWithUser,
    input: ReauthenticateInput,
    context?: CallContext,
  ): Promise<{ session: Session }>;
  /**
   * Creates a user from server code (admin provisioning, imports), with or without a password;
   * the password, if any, must pass the policy. `email_taken` when the pool has the email,
   * `invalid_request` when `tenantId` names no isolated-pool tenant.
   *
   * @example
   * const user = await auth.api.createUser({ email: 'ada@example.com', name: 'Ada', emailVerified: true })
   */
  createUser(input: CreateUserRequest, context?: CallContext): Promise<User>;
}

/** The passwords domain: its `auth.api` operations. */
export interface PasswordService {
  api: PasswordsApi;
}

/** What the password service uses. */
export interface PasswordServiceDeps {
  storage: Storage;
  clock: Clock;
  hasher: PasswordHasher;
  rateLimiter: RateLimiter;
  lockout: Lockout;
  users: UserService;
  sessions: SessionService;
  tenants: TenantService;
  invitations: InvitationService;
  signIn: SignInService;
}

export interface PasswordServiceOptions {
  password: ResolvedPasswordOptions;
  signup: ResolvedSignupOptions;
  /** `tenants.isolatedSignupRole`: the role of a user who signs up into an isolated-pool tenant. */
  isolatedSignupRole: string;
  /** The app's name the owner's notices are signed with. */
  appName: string;
}

export function createPasswordService(
  deps: PasswordServiceDeps,
  { password: policy, signup, isolatedSignupRole, appName }: PasswordServiceOptions,
): PasswordService {
  const { storage, clock, hasher, rateLimiter, lockout, users, sessions, tenants, invitations } = deps;

  async function limit(
    rule: 'signIn' | 'signUp' | 'passwordChange',
    subject: string,
    context: CallContext,
    identifier?: string,
  ) {
    // the identifier (the email typed) feeds the per-account policy, apart from the lockout
    const state = await rateLimiter.consume(rule, subject, { ip: context.ip, identifier });
    if (state) (context.rateLimits ??= []).push(state);
  }

  /** The tenant a sign-up names, if any. */
  async function namedTenant(tenant: string | undefined) {
    if (!tenant) return null;
    const found = await tenants.resolveTenant(tenant);
    if (!found || found.status !== 'active') throw new AuthError('not_found', { detail: 'unknown tenant' });
    return found;
  }

  const api: PasswordsApi = {
    async signUp(rawInput, context = {}) {
      const input = parseInput(signUpInputSchema, rawInput);
      if (!signup.enabled) throw new AuthError('forbidden', { detail: 'sign-up is disabled' });
      // without a client address (server-side calls), limit per email rather than in one shared bucket
      await limit(
        'signUp',
        context.ip ? `ip:${context.ip}` : `email:${normalizeEmail(input.email)}`,
        context,
      );
      const invited = input.invitationToken ? await invitations.checkToken(input.invitationToken) : null;
      const named = await namedTenant(input.tenant);
      if (invited) {
        if (named && named.id !== invited.tenant.id) {
          throw new AuthError('invalid_request', { detail: 'the invitation is for another tenant' });
        }
        invitations.assertEmailMatches(invited.invitation, input.email);
      } else if (named && named.userPool !== 'isolated') {
        throw new AuthError('invalid_request', {
          detail: 'this tenant uses the shared user pool: sign up without a tenant and join by invitation',
        });
      }
      // the isolated pool the new user belongs to, if any: the tenant invited into or named
      const tenant = invited ? (invited.tenant.userPool === 'isolated' ? invited.tenant : null) : named;
      const password = await normalizeAndCheckPassword(input.password, policy, input);
      const passwordHash = await hasher.hash(password);
      try {
        const result = await storage.transaction(async (tx) => {
          const user = await users.insertUser(
            tx,
            { email: input.email, name: input.name ?? null, tenantId: tenant?.id ?? null, passwordHash },
            context,
          );
          if (invited) {
            await invitations.joinByInvitation(tx, invited, user, {
              ...context,
              actor: { type: 'user', id: user.id },
            });
          } else if (tenant) {
            await joinIsolatedTenant(tx, tenant, user, context);
          }
          if (signup.onEmailTaken === 'notify') return { user, issued: null };
          const issued = await sessions.createSession(tx, {
            user,
            tenantId: tenant?.id ?? null,
            method: 'pwd',
            context: { ...context, actor: { type: 'user', id: user.id } },
          });
          return { user, issued };
        });
        if (!result.issued) return { pending: true };
        rememberDevice(lockout, result.user, context);
        return { user: result.user, ...result.issued };
      } catch (error) {
        if (!isAuthError(error, 'email_taken') || signup.onEmailTaken !== 'notify') throw error;
        await notifyOwnerOfSignUpAttempt(tenant, input.email, context);
        return { pending: true };
      }
    },

    async signIn(rawInput, context = {}) {
      const input = parseInput(signInInputSchema, rawInput);
      const email = normalizeEmail(input.email);
      const tenant = input.tenant ? await tenants.resolveTenant(input.tenant) : null;
      const poolTenantId = tenant?.userPool === 'isolated' ? tenant.id : null;
      // a browser that signed in to this account before counts on a counter of its own
      const counter = lockout.counterKey(
        failureAccountKey(poolTenantId, email),
        'password',
        context.device?.cookie,
      );
      // per address, and per account as that counter keys it: a browser that signed in before
      // has a budget of its own, so guesses from elsewhere never exhaust the owner's
      await limit('signIn', context.ip ? `ip:${context.ip}` : `email:${email}`, context, counter);
      if (input.tenant && (!tenant || tenant.status !== 'active')) {
        // an unknown tenant answers exactly like a wrong password, in the same time
        await hasher.verifyDummy(normalizePasswordForVerify(input.password));
        throw new AuthError('invalid_credentials');
      }
      // the counter's durable failure record comes with the account, in the one query sign-in
      // makes anyway; an unknown account's record (it has one too) costs a read on this failing path only
      const found = await storage.signIn.findAccountByEmail(poolTenantId, email, lockout.durableKey(counter));
      const attempt = await lockout.beginAttempt(counter, found ?? undefined);

      const password = normalizePasswordForVerify(input.password);
      if (!found?.passwordHash) {
        await hasher.verifyDummy(password);
        await lockout.failed(attempt);
        throw new AuthError('invalid_credentials');
      }
      if (!(await hasher.verify(found.passwordHash, password))) {
        await lockout.failed(attempt);
        throw new AuthError('invalid_credentials');
      }
      const result = await deps.signIn.completeSignIn({
        user: found.user,
        method: 'pwd',
        tenant,
        attempt,
        hasSecondFactor: found.hasSecondFactor,
        context,
      });
      // upgraded only for a sign-in that went through: the account may be entered now
      if (hasher.needsRehash(found.passwordHash)) {
        const rehashed = await hasher.hash(password);
        await storage.passwords.replaceIfUnchanged(found.user.id, found.passwordHash, rehashed, clock.now());
      }
      return result;
    },

    async changePassword(session, rawInput, context = {}) {
      requireFreshAuthentication(session, 'password.change', clock.now());
      const { userId, id: currentSessionId } = session;
      const input = parseInput(changePasswordInputSchema, rawInput);
      await limit('passwordChange', `user:${userId}`, context);
      const user = await storage.users.findById(userId);
      if (!user) throw new AuthError('invalid_credentials');
      const currentHash = await proveCurrentPassword(
        user,
        input.currentPassword,
        context,
        'current password is wrong',
      );
      const newPassword = await normalizeAndCheckPassword(input.newPassword, policy, user);
      if (await hasher.verify(currentHash, newPassword)) {
        throw new AuthError('password_reused', {
          detail: 'choose a password different from the current one',
        });
      }
      const newHash = await hasher.hash(newPassword);
      const revokeOthers = input.revokeOtherSessions ?? true;
      const revokedSessions = await storage.transaction(async (tx) => {
        const now = clock.now();
        await tx.passwords.upsert(userId, newHash, now);
        const revoked = revokeOthers
          ? await tx.sessions.revokeAllForUser(userId, now, 'password_changed', currentSessionId)
          : 0;
        const data = { revokedSessions: revoked };
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'password.changed',
          target: { type: 'user', id: userId },
          data,
          event: credentialChangeEvent('password.change', { user, appName, at: now }, data),
        });
        await recordSessionsRevoked(tx, clock, context, {
          userId,
          count: revoked,
          reason: 'password_changed',
        });
        return revoked;
      });
      return { revokedSessions };
    },

    async reauthenticate(given, rawInput, context = {}) {
      const input = parseInput(reauthenticateInputSchema, rawInput);
      // a session already validated (the bearer token's) is used as is: recording the
      // authentication fails if it ended meanwhile
      const current = typeof given === 'string' ? await sessions.api.validateSessionToken(given) : given;
      if (!current) throw new AuthError('unauthenticated');
      const { user } = current;
      // the sign-in rule and key: password guesses cost the same budget on either route
      const email = normalizeEmail(user.email);
      await limit('signIn', context.ip ? `ip:${context.ip}` : `email:${email}`, context, email);
      await proveCurrentPassword(user, input.password, context);
      const session = await sessions.recordAuthentication(current, 'pwd', {
        ...context,
        actor: { type: 'user', id: user.id },
      });
      return { session };
    },
    async createUser(rawInput, context = {}) {
      const input = parseInput(createUserInputSchema, rawInput);
      if (input.tenantId) {
        const tenant = await storage.tenants.findById(input.tenantId);
        if (!tenant || tenant.userPool !== 'isolated') {
          throw new AuthError('invalid_request', { detail: 'tenantId must name an isolated-pool tenant' });
        }
      }
      const passwordHash = input.password
        ? await hasher.hash(await normalizeAndCheckPassword(input.password, policy, input))
        : null;
      const user = await storage.transaction((tx) =>
        users.insertUser(tx, { ...input, tenantId: input.tenantId ?? null, passwordHash }, context),
      );
      return user;
    },
  };

  return { api };

  /**
   * Checks a signed-in user's password on the account's `reauthentication` failure counter (one
   * attempt reserved first, the count cleared on success), apart from sign-in's: a stolen
   * session guessing here does not lock the owner's sign-in. Returns the stored hash.
   */
  async function proveCurrentPassword(
    user: User,
    password: string,
    context: CallContext,
    detail?: string,
  ): Promise<string> {
    const accountKey = failureAccountKey(user.tenantId, normalizeEmail(user.email));
    const attempt = await lockout.beginAttempt(
      lockout.counterKey(accountKey, 'reauthentication', context.device?.cookie),
    );
    const currentHash = await storage.passwords.findHash(user.id);
    const candidate = normalizePasswordForVerify(password);
    if (!currentHash) {
      await hasher.verifyDummy(candidate);
      await lockout.failed(attempt);
      throw new AuthError('invalid_credentials', detail ? { detail } : {});
    }
    if (!(await hasher.verify(currentHash, candidate))) {
      await lockout.failed(attempt);
      throw new AuthError('invalid_credentials', detail ? { detail } : {});
    }
    await lockout.succeeded(attempt);
    return currentHash;
  }

  async function joinIsolatedTenant(tx: StorageStores, tenant: Tenant, user: User, context: CallContext) {
    const now = clock.now();
    await tx.memberships.create(newMembership(tenant.id, user.id, [isolatedSignupRole], now));
    await recordChange(tx, clock, context, {
      tenantId: tenant.id,
      action: 'member.added',
      actor: { type: 'user', id: user.id },
      target: { type: 'user', id: user.id },
      data: { roles: [isolatedSignupRole], via: 'signup' },
    });
  }

  /** `notify` mode: the owner of the email hears of the attempt; the caller learns nothing. */
  async function notifyOwnerOfSignUpAttempt(tenant: Tenant | null, email: string, context: CallContext) {
    const owner = await storage.users.findByEmail(tenant?.id ?? null, normalizeEmail(email));
    if (!owner) return;
    await storage.transaction((tx) =>
      recordChange(tx, clock, context, {
        tenantId: owner.tenantId,
        action: 'user.signup_attempted',
        actor: { type: 'anonymous', id: null },
        target: { type: 'user', id: owner.id },
        data: {},
        event: {
          userId: owner.id,
          mail: {
            to: owner.email,
            subject: 'Someone tried to sign up with your email',
            text:
              'Someone tried to create an account with this email address, which already has one.\n' +
              'If it was you, sign in instead (or reset your password). Otherwise you can ignore this message.',
          },
        },
      }),
    );
  }
}
