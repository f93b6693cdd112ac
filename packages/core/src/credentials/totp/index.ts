export type { MfaStatus, RecoveryCode, TotpCredential, TotpSetup } from './mfa.js';
export type { MfaStore } from './mfa-store.js';
export {
  generateRecoveryCode,
  hashRecoveryCode,
  newRecoveryCodes,
  RECOVERY_CODE_COUNT,
} from './recovery-codes.js';
export {
  generateTotpSecret,
  TOTP_STEP_SECONDS,
  type TotpCodeOptions,
  totpCodeAt,
  totpStep,
  totpUri,
  verifyTotpCode,
} from './totp-code.js';
export {
  type ResolvedTotpOptions,
  resolveTotpOptions,
  type TotpOptions,
  totpOptionsSchema,
} from './totp-options.js';
export { type ConfirmTotpInput, confirmTotpInputSchema } from './totp-schemas.js';
export { createTotpService, type TotpApi, type TotpService } from './totp-service.js';
