export {
  DEFAULT_EMAIL_VERIFICATION_TTL_SECONDS,
  type ForgotPasswordInput,
  forgotPasswordInputSchema,
  MAX_MAGIC_LINK_TTL_SECONDS,
  MAX_PASSWORD_RESET_TTL_SECONDS,
  type MagicLinkInput,
  magicLinkInputSchema,
  type ResetPasswordInput,
  resetPasswordInputSchema,
  type VerifyTokenInput,
  verifyTokenInputSchema,
} from './email-link-schemas.js';
export {
  createEmailLinkService,
  type EmailLinkService,
  type EmailLinksApi,
  type MagicLinkSignedIn,
} from './email-link-service.js';
export type { OneTimeTokenStore } from './one-time-token-store.js';
export { ONE_TIME_TOKEN_PURPOSES, type OneTimeToken, type OneTimeTokenPurpose } from './one-time-tokens.js';
export { isAllowedRedirect, redirectEntryProblem } from './redirect-allowlist.js';
