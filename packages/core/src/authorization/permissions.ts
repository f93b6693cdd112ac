import type { Role } from './roles.js';

/**
 * Does a granted permission cover the required one? `*` covers everything, `doc.*` covers
 * every action on `doc`, otherwise the two must be equal.
 */
export function permissionCovers(granted: string, required: string): boolean {
  if (granted === '*' || granted === required) return true;
  if (granted.endsWith('.*')) return required.startsWith(granted.slice(0, -1));
  return false;
}

/** The first of the member's roles that grants `permission`, or undefined. */
export function findGrantingRole(roles: Role[], roleKeys: string[], permission: string): Role | undefined {
  return roles.find(
    (role) => roleKeys.includes(role.key) && role.permissions.some((p) => permissionCovers(p, permission)),
  );
}
