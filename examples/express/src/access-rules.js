import { DEFAULT_ROLES } from '@portcullis/core';

// Who may do what with documents: the roles every new tenant gets (RBAC) and two code-defined
// policies that apply in every tenant (ABAC); and what M2M clients' scopes grant. Passed to
// createAuth() in app.js.

/**
 * The permission catalog (`authorization.permissions`): every resource of the app and its
 * actions. With it, a role, a policy or an authorize call naming anything else (a typo such as
 * `document.raed`) is refused (`unknown_permission`) instead of quietly never matching.
 * Portcullis adds its own tenant permissions (`member.read`, `role.manage`, …).
 *
 * @type {import('@portcullis/core').AuthConfig['authorization']['permissions']}
 */
export const PERMISSION_CATALOG = {
  document: ['read', 'create', 'update', 'delete'],
  // the machine API's report: GET /api/resource/reports for M2M clients, GET /api/v1/reports
  // (and /api/test/v1/reports) for API keys
  report: ['read'],
};

/**
 * What M2M clients may ask for (`clients.scopes`): each scope and the permissions it grants. A
 * client created with `reports:read` reads the machine API's report; the engine decides for a
 * client with these permissions in place of roles, never beyond them.
 *
 * @type {import('@portcullis/core').AuthConfig['clients']['scopes']}
 */
export const CLIENT_SCOPES = { 'reports:read': ['report.read'] };

/**
 * The attributes the routes pass for a document (`authorization.resourceAttributes`), so that a
 * tenant policy reading any other `resource.*` is answered with a warning.
 *
 * @type {import('@portcullis/core').AuthConfig['authorization']['resourceAttributes']}
 */
export const RESOURCE_ATTRIBUTES = { document: ['id', 'ownerId', 'visibility'] };

/** The actions the document routes check. `document.*` covers all four. */
export const DOCUMENT_PERMISSIONS = [
  'document.read',
  'document.create',
  'document.update',
  'document.delete',
];

// Portcullis's own admin role carries the built-in tenant permissions (member.update,
// role.manage, …); the example's admin keeps them and adds every document action.
const builtInAdmin = DEFAULT_ROLES.find((role) => role.key === 'admin');

/**
 * Provisioned into every new tenant (`tenants.defaultRoles`), replacing Portcullis's defaults.
 * Members get theirs from the invitation they accept, and an owner or admin changes them on the
 * page; a sign-up into an isolated-pool tenant by its slug alone gets `viewer` (Portcullis's
 * default `tenants.isolatedSignupRole`).
 *
 * @type {import('@portcullis/core').AuthConfig['tenants']['defaultRoles']}
 */
export const TENANT_ROLES = [
  { key: 'owner', name: 'Owner', permissions: ['*'] },
  { key: 'admin', name: 'Admin', permissions: [...builtInAdmin.permissions, 'document.*'] },
  {
    key: 'member',
    name: 'Member',
    permissions: ['tenant.read', 'member.read', 'document.read', 'document.create'],
  },
  { key: 'viewer', name: 'Viewer', permissions: ['tenant.read', 'document.read'] },
];

/**
 * Global policies (`authorization.policies`). A deny policy wins over every role and allow
 * policy; an allow policy grants what no role of the user does.
 *
 * @type {import('@portcullis/core').AuthConfig['authorization']['policies']}
 */
export const DOCUMENT_POLICIES = [
  {
    id: 'own-documents',
    effect: 'allow',
    actions: ['document.update', 'document.delete'],
    resource: 'document',
    condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
    description: 'Authors may update and delete their own documents',
  },
  {
    id: 'private-documents',
    effect: 'deny',
    actions: ['document.read'],
    resource: 'document',
    condition: {
      and: [
        { eq: [{ ref: 'resource.visibility' }, 'private'] },
        { ne: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
        {
          not: {
            or: [
              { contains: [{ ref: 'subject.roles' }, 'owner'] },
              { contains: [{ ref: 'subject.roles' }, 'admin'] },
            ],
          },
        },
      ],
    },
    description: "A private document is read only by its author and the tenant's owners and admins",
  },
];
