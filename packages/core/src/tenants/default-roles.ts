import type { RoleTemplate } from '../authorization/index.js';

/** The permissions tenant routes check. Default roles carry them; custom roles may too. */
export const TENANT_PERMISSIONS = [
  'tenant.read',
  'tenant.update',
  'tenant.suspend',
  'tenant.delete',
  'member.read',
  'member.update',
  'member.remove',
  'member.attributes',
  'invitation.manage',
  'role.manage',
  'policy.manage',
  'api_key.manage',
  'client.manage',
  'audit.read',
  'webhook.manage',
] as const;

export type TenantPermission = (typeof TENANT_PERMISSIONS)[number];

/** owner/admin/member/viewer, provisioned into every new tenant unless config replaces them. */
export const DEFAULT_ROLES: RoleTemplate[] = [
  { key: 'owner', name: 'Owner', permissions: ['*'] },
  {
    key: 'admin',
    name: 'Admin',
    // not member.attributes: attributes feed policies, so setting them can grant what the
    // tenant's allow policies allow; nor tenant.suspend, which switches the tenant off for
    // everyone; by default only owners may
    permissions: TENANT_PERMISSIONS.filter(
      (p) => p !== 'tenant.delete' && p !== 'tenant.suspend' && p !== 'member.attributes',
    ),
  },
  { key: 'member', name: 'Member', permissions: ['tenant.read', 'member.read'] },
  { key: 'viewer', name: 'Viewer', permissions: ['tenant.read'] },
];
