// The organization components: each file exports a headless hook (use<Name>) and the default look (<Name>).
export {
  AcceptInvitation,
  type AcceptInvitationLabels,
  type AcceptInvitationProps,
  type AcceptInvitationState,
  invitationErrorText,
  type UseAcceptInvitationOptions,
  useAcceptInvitation,
} from './accept-invitation.js';
export {
  CreateOrganization,
  type CreateOrganizationLabels,
  type CreateOrganizationProps,
  type CreateOrganizationState,
  suggestSlug,
  type UseCreateOrganizationOptions,
  useCreateOrganization,
} from './create-organization.js';
export {
  InviteMemberModal,
  type InviteMemberModalLabels,
  type InviteMemberModalProps,
  type InviteMemberModalState,
  invitationLink,
  type UseInviteMemberModalOptions,
  useInviteMemberModal,
} from './invite-member-modal.js';
export {
  MemberList,
  type MemberListLabels,
  type MemberListProps,
  type MemberListState,
  type MemberRow,
  type UseMemberListOptions,
  useMemberList,
} from './member-list.js';
export {
  MemberRoleManager,
  type MemberRoleManagerLabels,
  type MemberRoleManagerProps,
  type MemberRoleManagerState,
  type UseMemberRoleManagerOptions,
  useMemberRoleManager,
} from './member-role-manager.js';
export {
  OrganizationList,
  type OrganizationListLabels,
  type OrganizationListProps,
  type OrganizationListState,
  type UseOrganizationListOptions,
  useOrganizationList,
} from './organization-list.js';
export {
  OrganizationSettings,
  type OrganizationSettingsLabels,
  type OrganizationSettingsProps,
  type OrganizationSettingsState,
  type UseOrganizationSettingsOptions,
  useOrganizationSettings,
} from './organization-settings.js';
export {
  OrganizationSwitcher,
  type OrganizationSwitcherEntry,
  type OrganizationSwitcherLabels,
  type OrganizationSwitcherProps,
  type OrganizationSwitcherState,
  type UseOrganizationSwitcherOptions,
  useOrganizationSwitcher,
} from './organization-switcher.js';
export {
  type PendingInvitationRow,
  PendingInvitations,
  type PendingInvitationsLabels,
  type PendingInvitationsProps,
  type PendingInvitationsState,
  type UsePendingInvitationsOptions,
  usePendingInvitations,
} from './pending-invitations.js';
export { type InvitationPreview, previewInvitation } from './preview-invitation.js';
