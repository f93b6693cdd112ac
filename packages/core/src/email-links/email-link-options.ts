import { z } from 'zod';
import { httpUrlSchema } from '../http-url-schema.js';
import { redirectAllowlistSchema } from './redirect-allowlist.js';

/** Password reset links live at most this long (and by default exactly this long). */
export const MAX_PASSWORD_RESET_TTL_SECONDS = 3_600;
/** Magic links live at most this long (and by default exactly this long). */
export const MAX_MAGIC_LINK_TTL_SECONDS = 600;
export const DEFAULT_EMAIL_VERIFICATION_TTL_SECONDS = 86_400;

const emailLinksShape = {
  /** The app's name in mail subjects and greetings. Default the host of `baseURL`. */
  appName: z.string().min(1).max(100).optional(),
  /**
   * The app's pages that emailed links open, with the token as the `token` query parameter.
   * Each page must POST the token (`POST /email/verify`, `POST /password/reset`,
   * `POST /magic-link/verify`) on a user action or script, never use it on GET, so that mail
   * scanners following links use nothing. Defaults `<baseURL>/verify-email`,
   * `<baseURL>/reset-password`, `<baseURL>/magic-link`.
   */
  verifyEmailUrl: httpUrlSchema.optional(),
  resetPasswordUrl: httpUrlSchema.optional(),
  magicLinkUrl: httpUrlSchema.optional(),
  /**
   * The only `redirectTo` values a magic link accepts, compared exactly (no parsing): absolute
   * http(s) URLs or paths starting with one `/`. Default none.
   */
  redirectAllowlist: redirectAllowlistSchema.default([]),
  /** Default 86400 (a day). */
  emailVerificationTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(DEFAULT_EMAIL_VERIFICATION_TTL_SECONDS),
  /** Default and maximum 3600. */
  passwordResetTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(MAX_PASSWORD_RESET_TTL_SECONDS)
    .default(MAX_PASSWORD_RESET_TTL_SECONDS),
  /** Default and maximum 600. */
  magicLinkTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(MAX_MAGIC_LINK_TTL_SECONDS)
    .default(MAX_MAGIC_LINK_TTL_SECONDS),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['emailLinks']`: the app's pages that mailed links open, and their lifetimes. */
export const emailLinksOptionsSchema: z.ZodObject<typeof emailLinksShape, z.core.$strict> =
  z.strictObject(emailLinksShape);

/** The `emailLinks` options an app writes. */
export type EmailLinksOptions = z.input<typeof emailLinksOptionsSchema>;

/** The email link options after defaults, which are named after and placed under `baseURL`. */
export function resolveEmailLinksOptions(
  options: z.output<typeof emailLinksOptionsSchema>,
  defaults: { baseURL: URL },
) {
  const { baseURL } = defaults;
  const page = (configured: string | undefined, path: string) =>
    new URL(configured ?? new URL(path, baseURL.href.replace(/\/?$/, '/')).href);
  const redirectAllowlist: readonly string[] = options.redirectAllowlist;
  return {
    appName: options.appName ?? baseURL.host,
    verifyEmailUrl: page(options.verifyEmailUrl, 'verify-email'),
    resetPasswordUrl: page(options.resetPasswordUrl, 'reset-password'),
    magicLinkUrl: page(options.magicLinkUrl, 'magic-link'),
    redirectAllowlist,
    emailVerificationTtlSeconds: options.emailVerificationTtlSeconds,
    passwordResetTtlSeconds: options.passwordResetTtlSeconds,
    magicLinkTtlSeconds: options.magicLinkTtlSeconds,
  };
}

/** What the email links domain receives. */
export type ResolvedEmailLinksOptions = ReturnType<typeof resolveEmailLinksOptions>;
