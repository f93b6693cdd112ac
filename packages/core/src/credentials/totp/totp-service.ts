import { recordChange } from '../../audit/index.js';
import type { CallContext } from '../../call-context.js';
import type { SealedBox } from '../../crypto/sealed-box.js';
import { AuthError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Storage, StorageStores } from '../../ports/storage.js';
import { failureAccountKey, type Lockout } from '../../rate-limit/index.js';
import {
  type CredentialChange,
  credentialChangeEvent,
  requireFreshAuthentication,
  type Session,
} from '../../sessions/index.js';
import { normalizeEmail, type User } from '../../users/users.js';
import { parseInput } from '../../validation.js';
import type { MfaStatus, TotpSetup } from './mfa.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import { generateTotpSecret, totpUri, verifyTotpCode } from './totp-code.js';
import type { ResolvedTotpOptions } from './totp-options.js';
import { type ConfirmTotpInput, confirmTotpInputSchema } from './totp-schemas.js';

/** The TOTP operations of `auth.api`: enrolling an authenticator and managing recovery codes. */
export interface TotpApi {
  /**
   * The user's second factors as an account page shows them: whether TOTP is on and how many
   * recovery codes are left (never a secret or a code). Recovery codes count once the user has
   * any second factor (TOTP or a passkey).
   *
   * @example
   * const { totpEnabled, recoveryCodesRemaining } = await auth.api.getMfaStatus(userId)
   */
  getMfaStatus(userId: string): Promise<MfaStatus>;
  /**
   * Starts TOTP enrolment for the session's user: a new secret (sealed with AES-256-GCM at
   * rest) and its `otpauth://` URI (issuer: `totp.issuer`). Pending until {@link confirmTotp};
   * a new setup replaces a pending one. Needs an authentication at most 15 minutes old
   * (`step_up_required` otherwise: see `POST /reauthenticate`); the owner is mailed.
   * `mfa_already_enabled` when a confirmed one exists.
   *
   * @example
   * const { secret, otpauthUri } = await auth.api.setupTotp(current.session) // render otpauthUri as a QR code
   */
  setupTotp(session: Session, context?: CallContext): Promise<TotpSetup>;
  /**
   * Confirms the pending authenticator with its current code and turns MFA on: returns 10
   * recovery codes, shown this once (only their SHA-256 is stored; they replace any earlier
   * set). The code's step is used up. Needs an authentication at most 15 minutes old
   * (`step_up_required`). Audited `mfa.totp_enabled` and `mfa.recovery_codes_generated`, with
   * outbox events (and the owner's notice), in the same transaction. `invalid_mfa_code` for a
   * wrong code (counted like a wrong password), `mfa_not_enabled` without a pending setup.
   *
   * @example
   * const { recoveryCodes } = await auth.api.confirmTotp(current.session, { code: '123456' })
   */
  confirmTotp(
    session: Session,
    input: ConfirmTotpInput,
    context?: CallContext,
  ): Promise<{ recoveryCodes: string[] }>;
  /**
   * Turns TOTP off for the session's user, and deletes the recovery codes unless a passkey is
   * left to need them. Needs a fresh authentication (within 5 minutes, `step_up_required`
   * otherwise: see `POST /reauthenticate`). Audited `mfa.totp_disabled`; the owner is mailed.
   * `mfa_not_enabled` when there is nothing to turn off.
   *
   * @example
   * await auth.api.disableTotp(current.session, auth.callContext(headers))
   */
  disableTotp(session: Session, context?: CallContext): Promise<void>;
  /**
   * Replaces every recovery code of the session's user with 10 new ones (shown once). Needs a
   * fresh authentication like {@link disableTotp} and a second factor (TOTP or a passkey;
   * `mfa_not_enabled` otherwise). Audited `mfa.recovery_codes_generated`; the owner is mailed.
   *
   * @example
   * const { recoveryCodes } = await auth.api.regenerateRecoveryCodes(current.session)
   */
  regenerateRecoveryCodes(session: Session, context?: CallContext): Promise<{ recoveryCodes: string[] }>;
}

/** The TOTP domain: its `auth.api` operations and the code checks a pending login's completion uses. */
export interface TotpService {
  api: TotpApi;
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

/** What the TOTP service uses. */
export interface TotpServiceDeps {
  storage: Storage;
  clock: Clock;
  lockout: Lockout;
  /** Seals TOTP secrets at rest. */
  secretBox: SealedBox;
}

/** The TOTP options, and the app's name the owner's notices are signed with. */
export interface TotpServiceOptions extends ResolvedTotpOptions {
  appName: string;
}

export function createTotpService(
  { storage, clock, lockout, secretBox }: TotpServiceDeps,
  { issuer, appName }: TotpServiceOptions,
): TotpService {
  const accountKeyOf = (user: User) => failureAccountKey(user.tenantId, normalizeEmail(user.email));

  async function requireUser(userId: string): Promise<User> {
    const user = await storage.users.findById(userId);
    if (!user || user.status !== 'active') throw new AuthError('unauthenticated');
    return user;
  }

  /** Whether the user has a second factor: a confirmed authenticator or a passkey. */
  async function hasSecondFactor(userId: string): Promise<boolean> {
    const credential = await storage.mfa.findTotp(userId);
    return Boolean(credential?.confirmedAt) || (await storage.passkeys.countByUser(userId)) > 0;
  }

  /** The outbox event of a change, carrying the owner's notice. */
  const noticeOf = (change: CredentialChange, user: User, data: Record<string, unknown>) =>
    credentialChangeEvent(change, { user, appName, at: clock.now() }, data);

  const api: TotpApi = {
    async getMfaStatus(userId) {
      const credential = await storage.mfa.findTotp(userId);
      const totpEnabled = Boolean(credential?.confirmedAt);
      if (!totpEnabled && (await storage.passkeys.countByUser(userId)) === 0) {
        return { totpEnabled, recoveryCodesRemaining: 0 };
      }
      return { totpEnabled, recoveryCodesRemaining: await storage.mfa.countUnusedRecoveryCodes(userId) };
    },

    async setupTotp(session, context = {}) {
      requireFreshAuthentication(session, 'totp.setup', clock.now());
      const user = await requireUser(session.userId);
      const userId = user.id;
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
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.totp_setup_started',
          target: { type: 'user', id: userId },
          data: {},
          event: noticeOf('totp.setup', user, {}),
        });
      });
      return { secret, otpauthUri: totpUri(secret, { issuer, account: user.email }) };
    },

    async confirmTotp(session, rawInput, context = {}) {
      requireFreshAuthentication(session, 'totp.confirm', clock.now());
      const input = parseInput(confirmTotpInputSchema, rawInput);
      const user = await requireUser(session.userId);
      const userId = user.id;
      const credential = await storage.mfa.findTotp(userId);
      if (!credential) throw new AuthError('mfa_not_enabled', { detail: 'start with POST /mfa/totp/setup' });
      if (credential.confirmedAt) throw new AuthError('mfa_already_enabled');
      // the second factor's counter: wrong codes at enrolment never lock the password out
      const attempt = await lockout.beginAttempt(
        lockout.counterKey(accountKeyOf(user), 'second_factor', context.device?.cookie),
      );
      const now = clock.now();
      const step = verifyTotpCode(secretBox.open(credential.secretSealed), input.code.trim(), now);
      if (step === null) {
        await lockout.failed(attempt);
        throw new AuthError('invalid_mfa_code');
      }
      const { codes, rows } = newRecoveryCodes(userId, now);
      await storage.transaction(async (tx) => {
        // serialized with a passkey registration deciding whether it is the first second factor
        await tx.users.lock(userId);
        // the first code's step is burnt with the confirmation: it cannot also sign in
        if (!(await tx.mfa.confirmTotp(userId, step, now))) throw new AuthError('mfa_already_enabled');
        await tx.mfa.replaceRecoveryCodes(userId, rows);
        const target = { type: 'user', id: userId };
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.totp_enabled',
          target,
          data: {},
          event: noticeOf('totp.confirm', user, {}),
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
      requireFreshAuthentication(session, 'totp.disable', clock.now());
      const user = await requireUser(session.userId);
      const credential = await storage.mfa.findTotp(user.id);
      if (!credential?.confirmedAt) throw new AuthError('mfa_not_enabled');
      await storage.transaction(async (tx) => {
        if (!(await tx.mfa.deleteTotp(user.id))) throw new AuthError('mfa_not_enabled');
        // the codes recover the account's second factor: they stay while a passkey is left
        const recoveryCodes =
          (await tx.passkeys.countByUser(user.id)) > 0 ? 0 : await tx.mfa.deleteRecoveryCodes(user.id);
        const data = { recoveryCodesDeleted: recoveryCodes };
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.totp_disabled',
          target: { type: 'user', id: user.id },
          data,
          event: noticeOf('totp.disable', user, data),
        });
      });
    },

    async regenerateRecoveryCodes(session, context = {}) {
      requireFreshAuthentication(session, 'recovery_codes.regenerate', clock.now());
      const user = await requireUser(session.userId);
      if (!(await hasSecondFactor(user.id))) {
        throw new AuthError('mfa_not_enabled', { detail: 'recovery codes come with a second factor' });
      }
      const { codes, rows } = newRecoveryCodes(user.id, clock.now());
      await storage.transaction(async (tx) => {
        await tx.mfa.replaceRecoveryCodes(user.id, rows);
        const data = { count: rows.length };
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'mfa.recovery_codes_generated',
          target: { type: 'user', id: user.id },
          data,
          event: noticeOf('recovery_codes.regenerate', user, data),
        });
      });
      return { recoveryCodes: codes };
    },
  };

  return {
    api,

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
