import type { CallContext } from '../call-context.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { type FailureAttempt, failureAccountKey, type Lockout } from '../rate-limit/index.js';
import type { SessionService } from '../sessions/index.js';
import type { Tenant } from '../tenants/tenants.js';
import { normalizeEmail, type User } from '../users/users.js';
import { startPendingLogin } from './pending-logins.js';
import type { MfaMethod, MfaRequired, SignedIn } from './sign-in.js';

/** What {@link completeSignIn} uses. */
export interface SignInCollaborators {
  storage: Storage;
  keyValue: KeyValue;
  clock: Clock;
  sessions: Pick<SessionService, 'createSession'>;
  lockout: Pick<Lockout, 'succeeded' | 'clear' | 'rememberDevice'>;
}

/** The account key (`pool:email`) the failure counters of a known user count for. */
export function accountKeyOf(user: User): string {
  return failureAccountKey(user.tenantId, normalizeEmail(user.email));
}

/**
 * A session was opened for `user` in the browser of `context`: its device cookie now names the
 * account (`context.device.issued`, sent back by the HTTP handler), so that browser's later
 * attempts count on failure counters of their own. Nothing when the caller passed no device.
 */
export function rememberDevice(
  lockout: Pick<Lockout, 'rememberDevice'>,
  user: User,
  context: CallContext,
): void {
  if (context.device)
    context.device.issued = lockout.rememberDevice(accountKeyOf(user), context.device.cookie);
}

/** How a sign-in ends: a session, or a pending login waiting for the second factor. */
export type SignInOutcome = 'session' | 'mfa_required';

/** A first factor just proven, and what must commit with the sign-in it completes. */
export interface ProvenFirstFactor {
  user: User;
  /** The factor (RFC 8176 `amr`): `pwd`, `email` (a magic link), `fed` (a provider), `hwk` (a passkey). */
  method: string;
  /**
   * The tenant the sign-in named, if any: the session (or pending login) is in it, for its
   * isolated pool's user or a member of it; anyone else gets `tenant_access_denied`. Without
   * one, the user's own pool tenant (null for the shared pool).
   */
  tenant?: Tenant | null;
  /**
   * The lockout attempt reserved for the first factor: released once the first factor's outcome
   * has committed (the second factor counts on counters of its own).
   */
  attempt?: FailureAttempt;
  /** What the caller's own lookup already read (the password sign-in's): `false` skips the read. */
  hasSecondFactor?: boolean;
  /** The proof was two factors in one (a passkey that verified its user): `mfa` joins `amr`. */
  multiFactor?: boolean;
  /**
   * The first factor's own writes (the used link, the linked account, the passkey's counter,
   * an audit entry), on the sign-in's transaction: they commit with the outcome, and a throw
   * undoes them and the sign-in.
   */
  commit?: (tx: StorageStores, outcome: SignInOutcome) => Promise<void>;
  context: CallContext;
}

/**
 * Ends a sign-in whose first factor was just proven: a session, or a pending login when the user
 * has a second factor. Every first factor (password, provider, magic link, passkey) ends here,
 * so an account is entered on the same terms whichever door it is entered by.
 *
 * In order: the account's status (`user_suspended`: only now, after the proof, may the answer
 * depend on the account), the named tenant (`tenant_access_denied`), then one read of the
 * user's second factors decides. None (or a first factor that was two in one): the caller's
 * writes and the new session commit in one transaction, then the lockout attempt is released
 * and the browser's device cookie names the account (`context.device.issued`). Some: the
 * caller's writes commit, the attempt is released (the second factor counts on counters of its
 * own), then a pending login listing exactly what that read found (never a passkey after a
 * passkey) is started. A magic link also clears the account's password failures.
 *
 * A second factor removed while a sign-in runs: the read decides, on every path alike. Removed
 * before it, the sign-in is that of an account without one: a session. Removed after it, the
 * answer is still `mfaRequired` with the methods the read saw; the removed one then fails at
 * `POST /mfa/verify` (`invalid_mfa_code`) or `POST /passkeys/authentication` (`passkey_unknown`),
 * another listed one still completes it, and a new sign-in gets a session. Nothing that was
 * spent on the way (a magic link, an OAuth state, a passkey challenge) is spent for an error:
 * it bought the pending login.
 *
 * @example
 * const result = await completeSignIn(collaborators, {
 *   user, method: 'pwd', tenant, attempt, hasSecondFactor: found.hasSecondFactor, context,
 * })
 * if ('mfaRequired' in result) return result // no session yet: POST /mfa/verify completes it
 */
export async function completeSignIn(
  collaborators: SignInCollaborators,
  input: ProvenFirstFactor,
): Promise<SignedIn | MfaRequired> {
  const { storage, keyValue, clock, sessions, lockout } = collaborators;
  const { user, method, commit } = input;
  if (user.status !== 'active') throw new AuthError('user_suspended');
  const tenantId = await sessionTenantId(storage, user, input.tenant);
  const methods = await secondFactorMethods(storage, input);
  const context: CallContext = { ...input.context, actor: { type: 'user', id: user.id } };

  const accountKey = accountKeyOf(user);
  if (methods.length > 0) {
    if (commit) await storage.transaction((tx) => commit(tx, 'mfa_required'));
    await firstFactorProven(lockout, input, accountKey);
    return startPendingLogin(
      keyValue,
      {
        userId: user.id,
        tenantId,
        accountKey,
        pwdAt: Math.floor(clock.now().getTime() / 1000),
        firstFactor: method,
      },
      methods,
    );
  }
  const issued = await storage.transaction(async (tx) => {
    await commit?.(tx, 'session');
    return sessions.createSession(tx, {
      user,
      tenantId,
      method,
      extraAmr: input.multiFactor ? ['mfa'] : [],
      context,
    });
  });
  // released once the session is durable: a sign-in that failed to commit stays counted
  await firstFactorProven(lockout, input, accountKey);
  rememberDevice(lockout, user, input.context);
  return { user, ...issued };
}

/**
 * Settles the failure counters a proven first factor settles: its own attempt is released, and
 * a proof of the mailbox (a magic link) clears the account's password failures, for unknown
 * clients and for this browser.
 */
async function firstFactorProven(
  lockout: Pick<Lockout, 'succeeded' | 'clear'>,
  input: ProvenFirstFactor,
  accountKey: string,
) {
  if (input.attempt) await lockout.succeeded(input.attempt);
  if (input.method === 'email') await lockout.clear(accountKey, 'password', input.context.device?.cookie);
}

/** The tenant the session acts in. */
async function sessionTenantId(storage: Storage, user: User, tenant: Tenant | null | undefined) {
  if (!tenant || tenant.id === user.tenantId) return user.tenantId;
  // a shared-pool user enters a tenant they are a member of
  if (!(await storage.memberships.find(tenant.id, user.id))) throw new AuthError('tenant_access_denied');
  return tenant.id;
}

/** What can complete a pending login for this user: empty when no second factor is asked. */
async function secondFactorMethods(storage: Storage, input: ProvenFirstFactor): Promise<MfaMethod[]> {
  if (input.multiFactor || input.hasSecondFactor === false) return [];
  const factors = await storage.signIn.findSecondFactors(input.user.id);
  const methods: MfaMethod[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.totp && factors.recoveryCodes) methods.push('recovery_code');
  // a passkey cannot be its own second factor
  if (factors.passkeys && input.method !== 'hwk') methods.push('passkey');
  return methods;
}
