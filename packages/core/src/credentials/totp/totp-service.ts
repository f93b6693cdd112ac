import { recordChange } from '../../audit/record-change.js';
import type { CallContext } from '../../call-context.js';
import { createSealedBox } from '../../crypto/sealed-box.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { AuthError } from '../../errors.js';
import type { StorageStores } from '../../ports/storage.js';
import { failureAccountKey } from '../../rate-limit/lockout.js';
import type { ServiceDeps } from '../../service-deps.js';
import type { Session } from '../../sessions/sessions.js';
import { checkStepUp } from '../../sessions/step-up.js';
import { normalizeEmail, type User } from '../../users/users.js';
import { parseInput } from '../../validation.js';
import type { MfaStatus, RecoveryCode, TotpSetup } from './mfa.js';
import { generateRecoveryCode, hashRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { generateTotpSecret, totpUri, verifyTotpCode } from './totp-code.js';
import { type ConfirmTotpInput, confirmTotpInputSchema } from './totp-schemas.js';

/** Removing or replacing a second factor needs an authentication at most this old. */
const FRESH_AUTH_SECONDS = 300;

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
   * Proves a code of the user's confirmed authenticator and uses up its time step (a step is
   * never accepted twice, across requests): `not_enabled` without a confirmed authenticator.
   */
  proveTotpCode(userId: string, code: string): Promise<'accepted' | 'rejected' | 'not_enabled'>;
  /**
   * Uses up one of the user's recovery codes on the caller's transaction, audited
   * `mfa.recovery_code_used` in it; false when the code is wrong or already used.
   */
  useRecoveryCode(tx: StorageStores, user: User, code: string, context: CallContext): Promise<boolean>;
}

export function createTotpService(deps: ServiceDeps): TotpService {
  const { storage, clock, config, failures } = deps;
  // a purpose of its own: a TOTP secret can be opened by nothing else, and opens nothing else
  const secretBox = createSealedBox(config.secret, 'totp-secret');
  const issuer = new URL(config.baseURL).hostname;
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

  return {
    async getStatus(userId) {
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

    async proveTotpCode(userId, code) {
      const credential = await storage.mfa.findTotp(userId);
      if (!credential?.confirmedAt) return 'not_enabled';
      const now = clock.now();
      const step = verifyTotpCode(secretBox.open(credential.secretSealed), code, now);
      // the claim is the one conditional write that makes a step single use, across requests
      if (step === null || !(await storage.mfa.claimTotpStep(userId, step, now))) return 'rejected';
      return 'accepted';
    },

    async useRecoveryCode(tx, user, code, context) {
      if (!(await tx.mfa.useRecoveryCode(user.id, hashRecoveryCode(code), clock.now()))) return false;
      await recordChange(tx, clock, context, {
        tenantId: user.tenantId,
        action: 'mfa.recovery_code_used',
        target: { type: 'user', id: user.id },
        data: {},
      });
      return true;
    },
  };
}
