export {
  type InvitationsOptions,
  invitationsOptionsSchema,
  type ResolvedInvitationsOptions,
  resolveInvitationsOptions,
} from './invitation-options.js';
export {
  acceptInvitationInputSchema,
  type CreateInvitationInput,
  createInvitationInputSchema,
  DEFAULT_INVITATION_TTL_SECONDS,
  MAX_INVITATION_TTL_SECONDS,
  MAX_INVITATION_USES,
} from './invitation-schemas.js';
export {
  type CheckedInvitation,
  type CreatedInvitation,
  createInvitationService,
  type InvitationService,
  type InvitationsApi,
} from './invitation-service.js';
export type { InvitationStore } from './invitation-store.js';
export type {
  Invitation,
  InvitationPreview,
  InvitationStatus,
  InvitationSummary,
} from './invitations.js';
