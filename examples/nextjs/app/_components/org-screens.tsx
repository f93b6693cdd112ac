'use client';

// The organization pages' client parts: @portcullis/react components for the tenant of the URL,
// each management action behind the PermissionGate of the permission its route checks (a hint:
// the server decides).

import {
  ApiKeyManager,
  InviteMemberModal,
  MemberList,
  OrganizationSettings,
  PendingInvitations,
  PermissionGate,
  PolicyEditor,
  RoleManager,
} from '@portcullis/react';
import { useRouter } from 'next/navigation';
import type { ReactNode } from 'react';

// the server's `apiKeys.environments` (its default): the server does not publish them
const API_KEY_ENVIRONMENTS = ['live', 'test'];

function PageTitle({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="app-page-header">
      <h1>{title}</h1>
      {children ? <p className="app-muted">{children}</p> : null}
    </header>
  );
}

/** /orgs/[tenantId]/settings: rename; suspend for those who may. */
export function OrgSettingsScreen({ tenantId }: { tenantId: string }) {
  return <OrganizationSettings tenantId={tenantId} />;
}

/**
 * /orgs/[tenantId]/members: the members (each row's "Change roles" opens MemberRoleManager),
 * inviting and the pending invitations for those with `invitation.manage`.
 */
export function MembersScreen({ tenantId }: { tenantId: string }) {
  const router = useRouter();
  return (
    <>
      <PageTitle title="Team">Who belongs to this organization, and with which roles.</PageTitle>
      <PermissionGate tenantId={tenantId} action="invitation.manage">
        <div className="app-toolbar">
          <InviteMemberModal tenantId={tenantId} acceptUrl="/invitations/accept" />
        </div>
      </PermissionGate>
      <MemberList tenantId={tenantId} onLeft={() => router.push('/dashboard')} />
      <PermissionGate tenantId={tenantId} action="invitation.manage">
        <PendingInvitations tenantId={tenantId} />
      </PermissionGate>
    </>
  );
}

/** /orgs/[tenantId]/roles: built-in and custom roles, the permission editor. */
export function RolesScreen({ tenantId }: { tenantId: string }) {
  return (
    <>
      <PageTitle title="Roles and permissions">
        Built-in roles are read-only; custom roles take any permission of the catalog you hold.
      </PageTitle>
      <RoleManager tenantId={tenantId} />
    </>
  );
}

/** /orgs/[tenantId]/policies: ABAC policies with JSON conditions. */
export function PoliciesScreen({ tenantId }: { tenantId: string }) {
  return (
    <>
      <PageTitle title="Access policies">
        Allow or deny actions under conditions on the user, the resource and the request; deny wins.
      </PageTitle>
      <PolicyEditor tenantId={tenantId} />
    </>
  );
}

/** /orgs/[tenantId]/api-keys. */
export function ApiKeysScreen({ tenantId }: { tenantId: string }) {
  return (
    <>
      <PageTitle title="API access">Keys for your services, per environment; each is shown once.</PageTitle>
      <ApiKeyManager tenantId={tenantId} environments={API_KEY_ENVIRONMENTS} />
    </>
  );
}
