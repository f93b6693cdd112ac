export type {
  MfaMethod,
  MfaRequired,
  MfaStatus,
  PendingLogin,
  RecoveryCode,
  TotpCredential,
  TotpSetup,
} from './mfa.js';
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
export {
  type ConfirmTotpInput,
  confirmTotpInputSchema,
  type VerifyMfaInput,
  verifyMfaInputSchema,
} from './totp-schemas.js';
export {
  createTotpService,
  hasSecondFactor,
  MFA_CHALLENGE_TTL_SECONDS,
  type TotpApi,
  type TotpService,
} from './totp-service.js';
