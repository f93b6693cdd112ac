import { z } from 'zod';
import { AuthError } from '../../errors.js';
import { httpUrlSchema } from '../../http-url-schema.js';

/** A WebAuthn challenge lives at most this long (and the ceremony's timeout says as much). */
export const MAX_PASSKEY_TIMEOUT_SECONDS = 300;

const passkeysShape = {
  /** The relying party id: a registrable domain. Default the hostname of `baseURL`. */
  rpID: z
    .string()
    .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
      message: 'must be a lower-case domain name such as example.com (no scheme, no port)',
    })
    .optional(),
  /** The name authenticators show. Default `emailLinks.appName` (the host of `baseURL`). */
  rpName: z.string().min(1).max(100).optional(),
  /**
   * The page origins allowed to create and use passkeys (exact `scheme://host[:port]`), each
   * on `rpID` or a subdomain of it. Default the origin of `baseURL`.
   */
  origins: z.array(httpUrlSchema).min(1).max(50).optional(),
  /**
   * Whether the authenticator must verify the user (PIN, biometrics). `required`: responses
   * without the UV flag are refused. Default `preferred`.
   */
  userVerification: z.enum(['required', 'preferred', 'discouraged']).default('preferred'),
  /** How long a ceremony may take, and its challenge lives. Default and maximum 300. */
  timeoutSeconds: z
    .number()
    .int()
    .min(30)
    .max(MAX_PASSKEY_TIMEOUT_SECONDS)
    .default(MAX_PASSKEY_TIMEOUT_SECONDS),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['passkeys']`: the WebAuthn relying party. */
export const passkeysOptionsSchema: z.ZodObject<typeof passkeysShape, z.core.$strict> =
  z.strictObject(passkeysShape);

/** The `passkeys` options an app writes. */
export type PasskeysOptions = z.input<typeof passkeysOptionsSchema>;

/**
 * The passkey options after defaults (from `baseURL`, and `rpName` from the app's name), with
 * the rule browsers apply checked at start: every origin must be on `rpID` or a subdomain, or
 * no passkey could ever be created there.
 */
export function resolvePasskeysOptions(
  options: z.output<typeof passkeysOptionsSchema>,
  defaults: { baseURL: URL; rpName: string },
) {
  const rpID = options.rpID ?? defaults.baseURL.hostname;
  const origins = [...new Set((options.origins ?? [defaults.baseURL.origin]).map((o) => new URL(o).origin))];
  const outside = origins.filter((o) => {
    const host = new URL(o).hostname;
    return host !== rpID && !host.endsWith(`.${rpID}`);
  });
  if (outside.length > 0) {
    throw new AuthError('config_invalid', {
      detail: `passkeys.origins: ${outside.join(', ')} not on rpID "${rpID}" or a subdomain of it`,
    });
  }
  return {
    rpID,
    rpName: options.rpName ?? defaults.rpName,
    origins,
    userVerification: options.userVerification,
    timeoutSeconds: options.timeoutSeconds,
  };
}

/** What the passkeys domain receives. */
export type ResolvedPasskeysOptions = ReturnType<typeof resolvePasskeysOptions>;
