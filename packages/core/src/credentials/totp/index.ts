export type { MfaStatus, RecoveryCode, TotpCredential, TotpSetup } from './mfa.js';
export type { MfaStore } from './mfa-store.js';
export { generateRecoveryCode, hashRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
export {
  generateTotpSecret,
  TOTP_STEP_SECONDS,
  type TotpOptions,
  totpCodeAt,
  totpStep,
  totpUri,
  verifyTotpCode,
} from './totp-code.js';
export { type ConfirmTotpInput, confirmTotpInputSchema } from './totp-schemas.js';
export { createTotpService, type TotpApi, type TotpService } from './totp-service.js';
