import type { CallContext } from '../call-context.js';
import type { TotpService } from '../credentials/totp/index.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { Lockout, RateLimiter } from '../rate-limit/index.js';
import type { IssuedSession, SessionService } from '../sessions/index.js';
import type { User } from '../users/users.js';
import { parseInput } from '../validation.js';
import { completeSignIn, type ProvenFirstFactor, rememberDevice } from './complete-sign-in.js';
import { findPendingLogin, takePendingLogin } from './pending-logins.js';
import type { MfaRequired, PendingLogin, SignedIn } from './sign-in.js';
import { type VerifyMfaInput, verifyMfaInputSchema } from './sign-in-schemas.js';

/** The sign-in operations of `auth.api` that no first factor owns: completing a pending login. */
export interface SignInApi {
  /**
   * Completes a pending login (see `signIn`) with a second factor: a TOTP code of the current or
   * previous 30 s step that was never accepted before, or an unused recovery code (then used up,
   * audited `mfa.recovery_code_used`). Opens a new session whose `amr` is the first factor's and
   * `otp` (`['pwd', 'otp']` after a password) and whose `authTime` holds both times; the challenge
   * is single use. A wrong or replayed code is `invalid_mfa_code` and counts on the account's
   * second-factor failure counter (`account_locked`), apart from the password's; an unknown, expired or completed
   * challenge is `mfa_challenge_invalid`.
   *
   * @example
   * const { user, session, token } = await auth.api.verifyMfa({ challengeId, method: 'totp', code: '123456' })
   */
  verifyMfa(input: VerifyMfaInput, context?: CallContext): Promise<SignedIn>;
}

/** The sign-in domain: its `auth.api` operation and the finisher every first factor calls. */
export interface SignInService {
  api: SignInApi;
  /**
   * Ends a sign-in whose first factor was just proven: a session, or a pending login for a user
   * with a second factor (see {@link completeSignIn}).
   */
  completeSignIn(input: ProvenFirstFactor): Promise<SignedIn | MfaRequired>;
  /** The pending login behind a challenge id, without using it up; null when unknown or expired. */
  findPendingLogin(challengeId: string): Promise<PendingLogin | null>;
  /**
   * Completes a pending login whose second factor (`method`, an amr value such as `hwk`) the
   * caller has just proven, on the caller's transaction: takes the challenge (single use:
   * `mfa_challenge_invalid` for all but one of concurrent completions) and creates the session,
   * `amr` = first factor + `method`.
   */
  completePendingLogin(
    tx: StorageStores,
    input: { challengeId: string; pending: PendingLogin; user: User; method: string; context: CallContext },
  ): Promise<IssuedSession>;
}

/** What the sign-in service uses. */
export interface SignInServiceDeps {
  storage: Storage;
  keyValue: KeyValue;
  clock: Clock;
  sessions: Pick<SessionService, 'createSession'>;
  lockout: Lockout;
  rateLimiter: RateLimiter;
  totp: Pick<TotpService, 'proveTotpCode' | 'useRecoveryCode'>;
}

export function createSignInService(collaborators: SignInServiceDeps): SignInService {
  const { storage, keyValue, sessions, lockout, rateLimiter, totp } = collaborators;

  async function completePendingLogin(
    tx: StorageStores,
    input: { challengeId: string; pending: PendingLogin; user: User; method: string; context: CallContext },
  ): Promise<IssuedSession> {
    if (!(await takePendingLogin(keyValue, input.challengeId))) throw new AuthError('mfa_challenge_invalid');
    const issued = await sessions.createSession(tx, {
      user: input.user,
      tenantId: input.pending.tenantId,
      method: input.method,
      priorAuthTime: { [input.pending.firstFactor ?? 'pwd']: input.pending.pwdAt },
      context: input.context,
    });
    // `context.device` is shared by the caller's copies of the context: the handler sees it
    rememberDevice(lockout, input.user, input.context);
    return issued;
  }

  const api: SignInApi = {
    async verifyMfa(rawInput, context = {}) {
      const input = parseInput(verifyMfaInputSchema, rawInput);
      const pending = await findPendingLogin(keyValue, input.challengeId);
      if (!pending) throw new AuthError('mfa_challenge_invalid');
      const state = await rateLimiter.consume('signIn', `mfa:${pending.userId}`, {
        ip: context.ip,
        user: pending.userId,
      });
      if (state) (context.rateLimits ??= []).push(state);
      // the second factor's own counter: wrong codes never lock the password out
      const attempt = await lockout.beginAttempt(
        lockout.counterKey(pending.accountKey, 'second_factor', context.device?.cookie),
      );
      const user = await storage.users.findById(pending.userId);
      if (!user) throw new AuthError('mfa_challenge_invalid');
      if (user.status !== 'active') throw new AuthError('user_suspended');
      const code = input.code.trim();
      const userContext: CallContext = { ...context, actor: { type: 'user', id: user.id } };

      if (input.method === 'totp') {
        const proof = await totp.proveTotpCode(user.id, code);
        if (proof === 'not_enabled') throw new AuthError('invalid_mfa_code');
        if (proof === 'rejected') {
          await lockout.failed(attempt);
          throw new AuthError('invalid_mfa_code');
        }
      }
      let wrongRecoveryCode = false;
      const issued = await storage
        .transaction(async (tx) => {
          if (
            input.method === 'recovery_code' &&
            !(await totp.useRecoveryCode(tx, user, code, userContext))
          ) {
            wrongRecoveryCode = true;
            throw new AuthError('invalid_mfa_code');
          }
          // single use: of concurrent completions only the one that takes the challenge signs in
          // (a recovery code used by a loser is given back by the rollback)
          return completePendingLogin(tx, {
            challengeId: input.challengeId,
            pending,
            user,
            method: 'otp',
            context: userContext,
          });
        })
        .catch(async (error: unknown) => {
          // recorded after the rollback: a failure written inside the transaction would vanish with it
          if (wrongRecoveryCode) await lockout.failed(attempt);
          throw error;
        });
      await lockout.succeeded(attempt);
      return { user, ...issued };
    },
  };

  return {
    api,
    completeSignIn: (input) => completeSignIn(collaborators, input),
    completePendingLogin,
    findPendingLogin: (challengeId) => findPendingLogin(keyValue, challengeId),
  };
}
