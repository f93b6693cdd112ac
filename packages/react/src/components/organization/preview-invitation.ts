import { isPortcullisClientError, type PortcullisClient } from '@portcullis/client';

/** What an invitation offers, as its holder may see it (`POST /invitations/preview`). */
export interface InvitationPreview {
  tenant: { id: string; name: string; slug: string; userPool?: 'shared' | 'isolated' };
  /** Null when the system created the invitation. */
  inviter: { name: string | null; email: string } | null;
  roles: string[];
  /** The address the invitation is bound to; null for an open link. */
  email: string | null;
  expiresAt: string;
}

type PreviewMethod = (body: { token: string }) => Promise<InvitationPreview>;

/**
 * Asks the server what an invitation offers, without using it. `null` when this client or server
 * predates the preview route: the invitation can still be accepted, only not shown first.
 */
export async function previewInvitation(
  client: PortcullisClient,
  token: string,
): Promise<InvitationPreview | null> {
  const preview = (client.invitations as { preview?: PreviewMethod }).preview;
  if (typeof preview !== 'function') return null;
  try {
    return await preview({ token });
  } catch (error) {
    // an older server answers an unknown route with 404; an unknown token is invitation_invalid
    if (isPortcullisClientError(error, 'not_found')) return null;
    throw error;
  }
}
