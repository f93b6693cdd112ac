import { z } from 'zod';

const signupShape = {
  /** Default true. */
  enabled: z.boolean().default(true),
  /**
   * What a sign-up with a taken email answers: `conflict` (409 `email_taken`, the default) or
   * `notify` (202 for every sign-up, new or not, and the owner of the email is told by mail).
   */
  onEmailTaken: z.enum(['conflict', 'notify']).default('conflict'),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['signup']`: whether people may create accounts themselves, and how. */
export const signupOptionsSchema: z.ZodObject<typeof signupShape, z.core.$strict> =
  z.strictObject(signupShape);

/** The `signup` options an app writes. */
export type SignupOptions = z.input<typeof signupOptionsSchema>;
/** The sign-up options after defaults: what password and OAuth sign-ups receive. */
export type ResolvedSignupOptions = z.output<typeof signupOptionsSchema>;
