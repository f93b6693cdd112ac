import { recordChange } from '../../audit/record-change.js';
import type { CallContext } from '../../call-context.js';
import { generateToken, sha256Hex } from '../../crypto/random.js';
import type { SealedBox } from '../../crypto/sealed-box.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { AuthError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { KeyValue } from '../../ports/key-value.js';
import type { Storage, StorageStores } from '../../ports/storage.js';
import { failureAccountKey, type Lockout, type RateLimiter } from '../../rate-limit/index.js';
import type { IssuedSession, Session, SessionService } from '../../sessions/index.js';
import { checkStepUp } from '../../sessions/step-up.js';
import { normalizeEmail, type User } from '../../users/users.js';
import { parseInput } from '../../validation.js';
import type { SignedIn } from '../passwords/password-service.js';
import type { MfaMethod, MfaRequired, MfaStatus, PendingLogin, RecoveryCode, TotpSetup } from './mfa.js';
import { generateRecoveryCode, hashRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { generateTotpSecret, totpUri, verifyTotpCode } from './totp-code.js';
import {
  type ConfirmTotpInput,
  confirmTotpInputSchema,
  type VerifyMfaInput,
  verifyMfaInputSchema,
} from './totp-schemas.js';

/** How long a password-verified login waits for its second factor. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;

/** Removing or replacing a second factor needs an authentication at most this old. */
const FRESH_AUTH_SECONDS = 300;

/**
 * Whether the user has a second factor: a confirmed TOTP authenticator or a passkey. A passkey
 * counts (a user with only passkeys who signs in with a password or a magic link is asked for
 * one): it is a stronger factor than TOTP, and an account that has one should not be entered
 * with a password alone.
 */
export async function hasSecondFactor(stores: StorageStores, userId: string): Promise<boolean> {
  if ((await stores.mfa.findTotp(userId))?.confirmedAt) return true;
  return (await stores.passkeys.countByUser(userId)) > 0;
}

/** The second-factor operations of `auth.api`: TOTP, recovery codes, and completing a pending login. */
export interface TotpApi {
  /**
   * Completes a pending login (see `signIn`) with a second factor: a TOTP code of the current or
   * previous 30 s step that was never accepted before, or an unused recovery code (then used up,
   * audited `mfa.recovery_code_used`). Opens a new session whose `amr` is `['pwd', 'otp']` and
   * `authTime` holds both times; the challenge is single use. A wrong or replayed code is
   * `invalid_mfa_code` and counts on the account's failure counter like a wrong password
   * (`account_locked`); an unknown, expired or completed challenge is `mfa_challenge_invalid`.
   *
   * @example
   * const { user, session, token } = await auth.api.verifyMfa({ challengeId, method: 'totp', code: '123456' })
   */
  verifyMfa(input: VerifyMfaInput, context?: CallContext): Promise<SignedIn>;
  /**
   * The user's second factors as an account page shows them: whether TOTP is on and how many
   * recovery codes are left (never a secret or a code).
   *
   * @example
   * const { totpEnabled, recoveryCodesRemaining } = await auth.api.getMfaStatus(userId)
   */
  getMfaStatus(userId: string): Promise<MfaStatus>;
  /**
   * Starts TOTP enrolment for the user: a new secret (sealed with AES-256-GCM at rest) and its
   * `otpauth://` URI (issuer: the host of `baseURL`). Pending until {@link confirmTotp};
   * a new setup replaces a pending one. `mfa_already_enabled` when a confirmed one exists.
   *
   * @example
   * const { secret, otpauthUri } = await auth.api.setupTotp(userId) // render otpauthUri as a QR code
   */
  setupTotp(userId: string): Promise<TotpSetup>;
  /**
   * Confirms the pending authenticator with its current code and turns MFA on: returns 10
   * recovery codes, shown this once (only their SHA-256 is stored). The code's step is used up.
   * Audited `mfa.totp_enabled` and `mfa.recovery_codes_generated`, with outbox events, in the
   * same transaction. `invalid_mfa_code` for a wrong code (counted like a wrong password),
   * `mfa_not_enabled` without a pending setup.
   *
   * @example
   * const { recoveryCodes } = await auth.api.confirmTotp(userId, { code: '123456' })
   */
  confirmTotp(
    userId: string,
    input: ConfirmTotpInput,
    context?: CallContext,
  ): Promise<{ recoveryCodes: string[] }>;
  /**
   * Turns TOTP off for the session's user and deletes the recovery codes. Needs a fresh
   * authentication (within 5 minutes, `step_up_required` otherwise: see `POST /reauthenticate`).
   * Audited `mfa.totp_disabled`. `mfa_not_enabled` when there is nothing to turn off.
   *
   * @example
   * await auth.api.disableTotp(current.session, auth.callContext(headers))
   */
  disableTotp(session: Session, context?: CallContext): Promise<void>;
  /**
   * Replaces every recovery code of the session's user with 10 new ones (shown once). Needs a
   * fresh authentication like {@link disableTotp} and enabled TOTP. Audited
   * `mfa.recovery_codes_generated`.
   *
   * @example
   * const { recoveryCodes } = await auth.api.regenerateRecoveryCodes(current.session)
   */
  regenerateRecoveryCodes(session: Session, context?: CallContext): Promise<{ recoveryCodes: string[] }>;
}

/** The TOTP domain: its `auth.api` operations and the pending logins the first factors start. */
export interface TotpService {
  api: TotpApi;
  /**
   * After the first factor of `user` was proven: a pending login when the user has a second
   * factor (a confirmed TOTP authenticator or a passkey; no session yet), else null and the
   * caller signs the user in. `methods` lists what can complete it; `passkey` is left out when
   * the first factor was a passkey (`hwk`): the second must be another factor.
   */
  startChallenge(input: {
    user: User;
    tenantId: string | null;
    accountKey: string;
    /** The factor already proven (`pwd` by default; `email` for a magic link). */
    firstFactor?: string;
    /**
     * What the caller already read with the user (`findByEmailWithPassword`): false skips the
     * lookups, so a sign-in without a second factor costs no statement here.
     */
    hasSecondFactor?: boolean;
  }): Promise<MfaRequired | null>;
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

/** What the TOTP service uses. */
export interface TotpServiceDeps {
  storage: Storage;
  clock: Clock;
  /** Holds pending logins (hashed challenge ids) until their second factor comes. */
  keyValue: KeyValue;
  lockout: Lockout;
  rateLimiter: RateLimiter;
  sessions: SessionService;
  /** Seals TOTP secrets at rest. */
  secretBox: SealedBox;
}

export function createTotpService(deps: TotpServiceDeps, { baseURL }: { baseURL: URL }): TotpService {
  const { storage, clock, keyValue, lockout, rateLimiter, sessions, secretBox } = deps;
  const issuer = baseURL.hostname;
  const challengeKey = (challengeId: string) => `mfa:login:${sha256Hex(challengeId)}`;
  const accountKeyOf = (user: User) => failureAccountKey(user.tenantId, normalizeEmail(user.email));

  async function requireUser(userId: string): Promise<User> {
    const user = await storage.users.findById(userId);
    if (!user || user.status !== 'active') throw new AuthError('unauthenticated');
    return user;
  }

  async function requireConfirmedTotp(userId: string) {
    const credential = await storage.mfa.findTotp(userId);
    if (!credential?.confirmedAt) throw new AuthError('mfa_not_enabled');
    return credential;
  }

  /** Ten fresh codes for the user: the clear codes to show once and the rows to store. */
  function newRecoveryCodes(userId: string, now: Date): { codes: string[]; rows: RecoveryCode[] } {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    const rows = codes.map((code) => ({
      id: uuidv7(now.getTime()),
      userId,
      codeHash: hashRecoveryCode(code),
      usedAt: null,
      createdAt: now,
    }));
    return { codes, rows };
  }

  async function completePendingLogin(
    tx: StorageStores,
    input: { challengeId: string; pending: PendingLogin; user: User; method: string; context: CallContext },
  ): Promise<IssuedSession> {
    if ((await keyValue.getAndDelete(challengeKey(input.challengeId))) === null) {
      throw new AuthError('mfa_challenge_invalid');
    }
    return sessions.createSession(tx, {
      user: input.user,
      tenantId: input.pending.tenantId,
      method: input.method,
      priorAuthTime: { [input.pending.firstFactor ?? 'pwd']: input.pending.pwdAt },
      context: input.context,
    });
  }

  const api: TotpApi = {
    async getMfaStatus(userId) {
      const credential = await storage.mfa.findTotp(userId);
      if (!credential?.confirmedAt) return { totpEnabled: false, recoveryCodesRemaining: 0 };
      return {
        totpEnabled: true,
        recoveryCodesRemaining: await storage.mfa.countUnusedRecoveryCodes(userId),
      };
    },

    async setupTotp(userId) {
      const user = await requireUser(userId);
      const existing = await storage.mfa.findTotp(userId);
      if (existing?.confirmedAt) {
        throw new AuthError('mfa_already_enabled', { detail: 'disable the current authenticator first' });
      }
      const secret = generateTotpSecret();
      const now = clock.now();
      await storage.transaction(async (tx) => {
        // a restarted setup replaces the pending secret: only the latest QR code will confirm
        await tx.mfa.deletePendingTotp(userId);
        await tx.mfa.createTotp({
          userId,
          secretSealed: secretBox.seal(secret),
          confirmedAt: null,
          lastUsedStep: null,
          createdAt: now,
          updatedAt: now,
        });
      });
      return { secret, otpauthUri: totpUri(secret, { issuer, account: user.email }) };
    },

    async confirmTotp(userId, rawInput, context = {}) {
      const input = parseInput(confirmTotpInputSchema, rawInput);
      const user = await requireUser(userId);
      const credential = await storage.mfa.findTotp(userId);
      if (!credential) throw new AuthError('mfa_not_enabled', { detail: 'start with POST /mfa/totp/setup' });
      if (credential.confirmedAt) throw new AuthError('mfa_already_enabled');
      const attempt = await lockout.beginAttempt(accountKeyOf(user));
      const now = clock.now();
      const step = verifyTotpCode(secretBox.open(credential.secretSealed), input.code.trim(), now);
      if (step === null) {
        await lockout.failed(attempt);
        throw new AuthError('invalid_mfa_code');
      }
      const { codes, rows } = newRecoveryCodes(userId, now);
      await storage.transaction(async (tx) => {
        // the first code's step is burnt with the confirmation: it cannot also sign in
        if (!(await tx.mfa.confirmTotp(userId, step, now))) throw new AuthError('mfa_already_enabled');
        await tx.mfa.replaceRecoveryCodes(userId, rows);
        const target = { type: 'user', id: userId };
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.totp_enabled',
          target,
          data: {},
        });
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.recovery_codes_generated',
          target,
          data: { count: rows.length },
        });
      });
      await lockout.succeeded(attempt);
      return { recoveryCodes: codes };
    },

    async disableTotp(session, context = {}) {
      checkStepUp(session, { maxAgeSeconds: FRESH_AUTH_SECONDS }, clock.now());
      const user = await requireUser(session.userId);
      await requireConfirmedTotp(user.id);
      await storage.transaction(async (tx) => {
        if (!(await tx.mfa.deleteTotp(user.id))) throw new AuthError('mfa_not_enabled');
        const recoveryCodes = await tx.mfa.deleteRecoveryCodes(user.id);
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.totp_disabled',
          target: { type: 'user', id: user.id },
          data: { recoveryCodesDeleted: recoveryCodes },
        });
      });
    },

    async regenerateRecoveryCodes(session, context = {}) {
      checkStepUp(session, { maxAgeSeconds: FRESH_AUTH_SECONDS }, clock.now());
      const user = await requireUser(session.userId);
      await requireConfirmedTotp(user.id);
      const { codes, rows } = newRecoveryCodes(user.id, clock.now());
      await storage.transaction(async (tx) => {
        await tx.mfa.replaceRecoveryCodes(user.id, rows);
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.recovery_codes_generated',
          target: { type: 'user', id: user.id },
          data: { count: rows.length },
        });
      });
      return { recoveryCodes: codes };
    },

    async verifyMfa(rawInput, context = {}) {
      const input = parseInput(verifyMfaInputSchema, rawInput);
      const key = challengeKey(input.challengeId);
      const stored = await keyValue.get(key);
      if (!stored) throw new AuthError('mfa_challenge_invalid');
      const pending = JSON.parse(stored) as PendingLogin;
      const state = await rateLimiter.consume('signIn', `mfa:${pending.userId}`);
      if (state) (context.rateLimits ??= []).push(state);
      // the same per-account budget as passwords: the reserved attempt counts until proven
      const attempt = await lockout.beginAttempt(pending.accountKey);
      const user = await storage.users.findById(pending.userId);
      if (!user) throw new AuthError('mfa_challenge_invalid');
      if (user.status !== 'active') throw new AuthError('user_suspended');
      const now = clock.now();
      const code = input.code.trim();
      const userContext: CallContext = { ...context, actor: { type: 'user', id: user.id } };

      if (input.method === 'totp') {
        const credential = await storage.mfa.findTotp(user.id);
        if (!credential?.confirmedAt) throw new AuthError('invalid_mfa_code');
        const step = verifyTotpCode(secretBox.open(credential.secretSealed), code, now);
        // the claim is the one conditional write that makes a step single use, across requests
        if (step === null || !(await storage.mfa.claimTotpStep(user.id, step, now))) {
          await lockout.failed(attempt);
          throw new AuthError('invalid_mfa_code');
        }
      }
      let wrongRecoveryCode = false;
      const issued = await storage
        .transaction(async (tx) => {
          if (input.method === 'recovery_code') {
            if (!(await tx.mfa.useRecoveryCode(user.id, hashRecoveryCode(code), now))) {
              wrongRecoveryCode = true;
              throw new AuthError('invalid_mfa_code');
            }
            await recordChange(tx, clock, userContext, {
              tenantId: user.tenantId,
              action: 'mfa.recovery_code_used',
              target: { type: 'user', id: user.id },
              data: {},
            });
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

    completePendingLogin,

    async findPendingLogin(challengeId) {
      const stored = await keyValue.get(challengeKey(challengeId));
      return stored ? (JSON.parse(stored) as PendingLogin) : null;
    },

    async startChallenge({ user, tenantId, accountKey, firstFactor = 'pwd', hasSecondFactor }) {
      if (hasSecondFactor === false) return null;
      const methods: MfaMethod[] = [];
      if ((await storage.mfa.findTotp(user.id))?.confirmedAt) {
        methods.push('totp');
        if ((await storage.mfa.countUnusedRecoveryCodes(user.id)) > 0) methods.push('recovery_code');
      }
      // a passkey cannot be its own second factor
      if (firstFactor !== 'hwk' && (await storage.passkeys.countByUser(user.id)) > 0) methods.push('passkey');
      if (methods.length === 0) return null;
      const challengeId = generateToken(32);
      const pending: PendingLogin = {
        userId: user.id,
        tenantId,
        accountKey,
        pwdAt: Math.floor(clock.now().getTime() / 1000),
        firstFactor,
      };
      // only the hash of the id is a key: a read of the store does not yield usable challenges
      await keyValue.set(challengeKey(challengeId), JSON.stringify(pending), {
        ttlSeconds: MFA_CHALLENGE_TTL_SECONDS,
      });
      return { mfaRequired: true, challengeId, methods };
    },
  };
}
