export type { InvitationStore } from './invitation-store.js';
export type { Invitation, InvitationStatus } from './invitations.js';
