import type { CallContext } from '../call-context.js';
import type { TotpService } from '../credentials/totp/totp-service.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { Lockout } from '../rate-limit/lockout.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { IssuedSession, SessionService } from '../sessions/session-service.js';
import type { User } from '../users/users.js';
import { parseInput } from '../validation.js';
import { completeSignIn, type ProvenFirstFactor } from './complete-sign-in.js';
import { findPendingLogin, takePendingLogin } from './pending-logins.js';
import type { MfaRequired, PendingLogin, SignedIn } from './sign-in.js';
import { type VerifyMfaInput, verifyMfaInputSchema } from './sign-in-schemas.js';

export interface SignInService {
  /**
   * Ends a sign-in whose first factor was just proven: a session, or a pending login for a user
   * with a second factor (see {@link completeSignIn}).
   */
  completeSignIn(input: ProvenFirstFactor): Promise<SignedIn | MfaRequired>;
  /** Completes a pending login with a second factor: a new session with `amr` first factor + `otp`. */
  verifyMfa(input: VerifyMfaInput, context?: CallContext): Promise<SignedIn>;
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

export function createSignInService(collaborators: {
  storage: Storage;
  keyValue: KeyValue;
  clock: Clock;
  sessions: Pick<SessionService, 'createSession'>;
  lockout: Lockout;
  rateLimiter: RateLimiter;
  totp: Pick<TotpService, 'proveTotpCode' | 'useRecoveryCode'>;
}): SignInService {
  const { storage, keyValue, sessions, lockout, rateLimiter, totp } = collaborators;

  async function completePendingLogin(
    tx: StorageStores,
    input: { challengeId: string; pending: PendingLogin; user: User; method: string; context: CallContext },
  ): Promise<IssuedSession> {
    if (!(await takePendingLogin(keyValue, input.challengeId))) throw new AuthError('mfa_challenge_invalid');
    return sessions.createSession(tx, {
      user: input.user,
      tenantId: input.pending.tenantId,
      method: input.method,
      priorAuthTime: { [input.pending.firstFactor ?? 'pwd']: input.pending.pwdAt },
      context: input.context,
    });
  }

  return {
    completeSignIn: (input) => completeSignIn(collaborators, input),

    completePendingLogin,

    findPendingLogin: (challengeId) => findPendingLogin(keyValue, challengeId),

    async verifyMfa(rawInput, context = {}) {
      const input = parseInput(verifyMfaInputSchema, rawInput);
      const pending = await findPendingLogin(keyValue, input.challengeId);
      if (!pending) throw new AuthError('mfa_challenge_invalid');
      const state = await rateLimiter.consume('signIn', `mfa:${pending.userId}`);
      if (state) (context.rateLimits ??= []).push(state);
      // the same per-account budget as passwords: the reserved attempt counts until proven
      const attempt = await lockout.beginAttempt(pending.accountKey);
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
}
