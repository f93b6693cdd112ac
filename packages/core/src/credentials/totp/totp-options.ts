import { z } from 'zod';

const totpShape = {
  /**
   * The name authenticator apps show above the account's codes (the `issuer` of the
   * `otpauth://` URI). Default `emailLinks.appName` when it is set, else the hostname of
   * `baseURL`. Set it to your product's name: a host such as `app.example.com` means little in a
   * list of codes. No `:` (it separates the issuer from the account in the URI's label) and no
   * control characters.
   *
   * @example
   * totp: { issuer: 'Acme' }
   */
  issuer: z
    .string()
    .min(1)
    .max(100)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    .regex(/^[^:\u0000-\u001f\u007f]+$/, { message: 'must not contain ":" or control characters' })
    .optional(),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['totp']`: TOTP enrolment. */
export const totpOptionsSchema: z.ZodObject<typeof totpShape, z.core.$strict> = z.strictObject(totpShape);

/** The `totp` options an app writes. */
export type TotpOptions = z.input<typeof totpOptionsSchema>;

/**
 * The TOTP options after defaults: the issuer falls back to the app's name when the app named
 * itself, else to the hostname of `baseURL` (never with a port: `:` would split the label).
 */
export function resolveTotpOptions(
  options: z.output<typeof totpOptionsSchema>,
  defaults: { appName: string | undefined; baseURL: URL },
) {
  return { issuer: options.issuer ?? defaults.appName?.replaceAll(':', ' ') ?? defaults.baseURL.hostname };
}

/** What the TOTP domain receives. */
export type ResolvedTotpOptions = ReturnType<typeof resolveTotpOptions>;
