import { recordChange } from '../../audit/record-change.js';
import type { CallContext } from '../../call-context.js';
import { generateToken, sha256Hex } from '../../crypto/random.js';
import { createSealedBox } from '../../crypto/sealed-box.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { AuthError } from '../../errors.js';
import type { StorageStores } from '../../ports/storage.js';
import { failureAccountKey } from '../../rate-limit/lockout.js';
import type { ServiceDeps } from '../../service-deps.js';
import type { IssuedSession, SessionService } from '../../sessions/session-service.js';
import type { Session } from '../../sessions/sessions.js';
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

export interface TotpService {
  /** Whether the user has a confirmed authenticator, and how many recovery codes are left. */
  getStatus(userId: string): Promise<MfaStatus>;
  /** Starts (or restarts) TOTP enrolment; `mfa_already_enabled` when a confirmed one exists. */
  setupTotp(userId: string): Promise<TotpSetup>;
  /** Confirms the pending authenticator with a first code; returns 10 new recovery codes. */
  confirmTotp(
    userId: string,
    input: ConfirmTotpInput,
    context?: CallContext,
  ): Promise<{ recoveryCodes: string[] }>;
  /** Removes the authenticator and the recovery codes; needs a fresh authentication. */
  disableTotp(session: Session, context?: CallContext): Promise<void>;
  /** Replaces every recovery code; needs a fresh authentication and a confirmed authenticator. */
  regenerateRecoveryCodes(session: Session, context?: CallContext): Promise<{ recoveryCodes: string[] }>;
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
  /** Completes a pending login with a second factor: a new session with `amr` `pwd` + `otp`. */
  verify(input: VerifyMfaInput, context?: CallContext): Promise<SignedIn>;
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

export function createTotpService(deps: ServiceDeps, services: { sessions: SessionService }): TotpService {
  const { storage, clock, config, keyValue, failures, rateLimiter } = deps;
  // a purpose of its own: a TOTP secret can be opened by nothing else, and opens nothing else
  const secretBox = createSealedBox(config.secret, 'totp-secret');
  const issuer = new URL(config.baseURL).hostname;
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
    return services.sessions.createSession(tx, {
      user: input.user,
      tenantId: input.pending.tenantId,
      method: input.method,
      priorAuthTime: { [input.pending.firstFactor ?? 'pwd']: input.pending.pwdAt },
      context: input.context,
    });
  }

  return {
    async getStatus(userId) {
      const credential = await storage.mfa.findTotp(userId);
      if (!credential?.confirmedAt) return { totpEnabled: false, recoveryCodesRemaining: 0 };
      return {
        totpEnabled: true,
        recoveryCodesRemaining: await storage.mfa.countUnusedRecoveryCodes(userId),
      };
    },

    completePendingLogin,

    async findPendingLogin(challengeId) {
      const stored = await keyValue.get(challengeKey(challengeId));
      return stored ? (JSON.parse(stored) as PendingLogin) : null;
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
      const attempt = await failures.beginAttempt(accountKeyOf(user));
      const now = clock.now();
      const step = verifyTotpCode(secretBox.open(credential.secretSealed), input.code.trim(), now);
      if (step === null) {
        await failures.failed(attempt);
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
      await failures.succeeded(attempt);
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

    async verify(rawInput, context = {}) {
      const input = parseInput(verifyMfaInputSchema, rawInput);
      const key = challengeKey(input.challengeId);
      const stored = await keyValue.get(key);
      if (!stored) throw new AuthError('mfa_challenge_invalid');
      const pending = JSON.parse(stored) as PendingLogin;
      const state = await rateLimiter.consume('signIn', `mfa:${pending.userId}`);
      if (state) (context.rateLimits ??= []).push(state);
      // the same per-account budget as passwords: the reserved attempt counts until proven
      const attempt = await failures.beginAttempt(pending.accountKey);
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
          await failures.failed(attempt);
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
          if (wrongRecoveryCode) await failures.failed(attempt);
          throw error;
        });
      await failures.succeeded(attempt);
      return { user, ...issued };
    },
  };
}
