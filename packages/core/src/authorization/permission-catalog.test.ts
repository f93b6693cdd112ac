import { describe, expect, it } from 'vitest';
import { TENANT_PERMISSIONS } from '../tenants/default-roles.js';
import { assertKnownPermissions, createPermissionCatalog } from './permission-catalog.js';

describe('createPermissionCatalog', () => {
  const catalog = createPermissionCatalog(TENANT_PERMISSIONS, {
    document: ['read', 'update'],
    member: ['impersonate'],
  });

  it('knows `*`, listed actions, dotted actions and wildcards of known resources', () => {
    for (const known of [
      '*',
      'document.read',
      'document.*',
      'member.read',
      'member.impersonate',
      'policy.manage',
    ]) {
      expect(catalog.findProblem(known), known).toBeUndefined();
    }
    expect(catalog.findResourceProblem('document')).toBeUndefined();
    expect(catalog.findResourceProblem('*')).toBeUndefined();
  });

  it('knows the resource types domains ask about without permissions of their own, as policy resources only', () => {
    const withUser = createPermissionCatalog(TENANT_PERMISSIONS, { document: ['read'] }, ['user']);
    expect(withUser.findResourceProblem('user')).toBeUndefined();
    expect(withUser.findProblem('user.read')).toBe('unknown resource "user"');
    expect(catalog.findResourceProblem('user')).toBe('unknown resource "user"');
  });

  it('says what is wrong with an unknown permission', () => {
    expect(catalog.findProblem('document.delete')).toBe(
      '"delete" is not an action of "document" (read, update)',
    );
    expect(catalog.findProblem('invoice.*')).toBe('unknown resource "invoice"');
    expect(catalog.findResourceProblem('invoice')).toBe('unknown resource "invoice"');
    expect(() => assertKnownPermissions(catalog, 'permissions', ['document.read', 'invoice.read'])).toThrow(
      /permissions\.1: unknown resource "invoice"/,
    );
  });

  it('adds configured actions to built-in resources and lists everything sorted', () => {
    const listing = catalog.listing();
    expect(listing.enforced).toBe(true);
    expect(listing.resources[0]).toEqual({ resource: 'api_key', actions: ['manage'] });
    expect(listing.resources.find((r) => r.resource === 'member')?.actions).toEqual([
      'attributes',
      'impersonate',
      'read',
      'remove',
      'update',
    ]);
  });

  it('enforces nothing without a configured catalog', () => {
    const open = createPermissionCatalog(TENANT_PERMISSIONS, undefined);
    expect(open.findProblem('anything.goes')).toBeUndefined();
    expect(open.findResourceProblem('thing')).toBeUndefined();
    expect(open.listing().enforced).toBe(false);
  });
});
