export { type AcceptedMailRequests, createAcceptedMailRequests } from './accepted-mail-requests.js';
export {
  DEFAULT_EMAIL_VERIFICATION_TTL_SECONDS,
  type EmailLinksOptions,
  emailLinksOptionsSchema,
  MAX_MAGIC_LINK_TTL_SECONDS,
  MAX_PASSWORD_RESET_TTL_SECONDS,
  type ResolvedEmailLinksOptions,
  resolveEmailLinksOptions,
} from './email-link-options.js';
export {
  type ForgotPasswordInput,
  forgotPasswordInputSchema,
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
export { isAllowedRedirect, redirectAllowlistSchema, redirectEntryProblem } from './redirect-allowlist.js';
