import { z } from 'zod';
import { httpUrlSchema } from '../http-url-schema.js';

const invitationsShape = {
  /**
   * The app's page that accepts an invitation: invitation mails link to it with the token as the
   * `token` query parameter; the page posts it to `POST /invitations/accept` (signed in) or to
   * `POST /signup` as `invitationToken`. Default `<baseURL>/accept-invitation`.
   */
  acceptUrl: httpUrlSchema.optional(),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['invitations']`: where invitation mails lead. */
export const invitationsOptionsSchema: z.ZodObject<typeof invitationsShape, z.core.$strict> =
  z.strictObject(invitationsShape);

/** The `invitations` options an app writes. */
export type InvitationsOptions = z.input<typeof invitationsOptionsSchema>;

/** The invitation options after defaults, which are pages under `baseURL`. */
export function resolveInvitationsOptions(
  options: z.output<typeof invitationsOptionsSchema>,
  defaults: { baseURL: URL },
) {
  return {
    acceptUrl: new URL(
      options.acceptUrl ?? new URL('accept-invitation', defaults.baseURL.href.replace(/\/?$/, '/')).href,
    ),
  };
}

/** What the invitations domain receives. */
export type ResolvedInvitationsOptions = ReturnType<typeof resolveInvitationsOptions>;
