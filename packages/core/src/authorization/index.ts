export { findGrantingRole, permissionCovers } from './permissions.js';
export type { RoleStore } from './role-store.js';
export type { Role, RoleTemplate } from './roles.js';
