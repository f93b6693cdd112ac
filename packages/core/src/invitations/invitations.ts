/** Where an invitation stands. Expiry is not a status: it is read from `expiresAt`. */
export type InvitationStatus = 'pending' | 'revoked' | 'exhausted';

/**
 * An invitation into a tenant, for one email or, with `email: null`, an open link anyone holding
 * the token may use. Only the token's hash is stored. Each acceptance uses one of `maxUses`; the
 * last use turns it `exhausted`.
 */
export interface Invitation {
  id: string;
  tenantId: string;
  /** The invited address (normalized), or null for an open link. */
  email: string | null;
  /** Role keys the new member gets. */
  roles: string[];
  /** SHA-256 of the invitation token; the token itself is never stored. */
  tokenHash: string;
  maxUses: number;
  uses: number;
  status: InvitationStatus;
  expiresAt: Date;
  /** The user who created it, or null when the system did. */
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An invitation as the API shows it: everything but the token hash. */
export type InvitationSummary = Omit<Invitation, 'tokenHash'>;

export function summarizeInvitation(invitation: Invitation): InvitationSummary {
  const { tokenHash: _hidden, ...summary } = invitation;
  return summary;
}

/**
 * What the holder of an invitation token may learn before accepting it: where it leads, who sent
 * it and what it grants, for an "Ada Lovelace invited you to Acme as admin" screen.
 */
export interface InvitationPreview {
  /** `userPool` tells the page how to join: `isolated` tenants are joined by signing up into them. */
  tenant: { id: string; name: string; slug: string; userPool: 'shared' | 'isolated' };
  /** Who created it, while they are a user of the install; null when the system did. */
  inviter: { name: string | null; email: string } | null;
  /** Role keys the new member gets. */
  roles: string[];
  /** The (normalized) address it is bound to, or null for an open link. */
  email: string | null;
  expiresAt: Date;
}
