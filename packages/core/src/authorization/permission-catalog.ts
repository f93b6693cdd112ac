import { z } from 'zod';
import { AuthError } from '../errors.js';
import { ACTION_NAME, RESOURCE_NAME } from './policy-schema.js';

/**
 * The permission catalog as configured: resource name → its action names, e.g.
 * `{ document: ['read', 'create', 'update', 'delete'], report: ['export'] }`. Names follow the
 * grammar of actions (`RESOURCE_NAME`, `ACTION_NAME`); no wildcards.
 */
export type PermissionCatalogConfig = Readonly<Record<string, readonly string[]>>;

/** What `GET /permissions` answers and `auth.api.listPermissions()` returns. */
export interface PermissionCatalogListing {
  /**
   * True when the app configured a catalog (`authorization.permissions`): role permissions,
   * policy actions and `authorize` actions outside it are then refused. False means any
   * well-formed permission is accepted and `resources` holds only the built-in ones.
   */
  enforced: boolean;
  /** Every resource and its actions, sorted by name; built-in tenant permissions included. */
  resources: Array<{ resource: string; actions: string[] }>;
}

/**
 * The permissions an install knows. Resolved once from config; the built-in tenant permissions
 * (`tenant.read`, `member.read`, `policy.manage`, …) are always part of it.
 */
export interface PermissionCatalog {
  /** See {@link PermissionCatalogListing.enforced}. */
  readonly enforced: boolean;
  /**
   * Why `pattern` is not in the catalog, or undefined when it is (always undefined when not
   * enforced). `*` is always known; `document.*` when `document` is a known resource;
   * `document.read` when `read` is one of its actions.
   */
  findProblem(pattern: string): string | undefined;
  /** Why a policy's resource type is not in the catalog (`*` and known resources are), or undefined. */
  findResourceProblem(resource: string): string | undefined;
  listing(): PermissionCatalogListing;
}

/** Validates `authorization.permissions` in config. */
export const permissionCatalogConfigSchema = z.record(
  z.string().max(100).regex(RESOURCE_NAME, 'a resource name is letters, digits, _ and -'),
  z
    .array(
      z
        .string()
        .max(100)
        .regex(ACTION_NAME, 'an action name is letters, digits, _ and -, optionally dotted (comment.create)'),
    )
    .min(1)
    .max(200),
);

/**
 * Builds the catalog from the built-in permissions (`resource.action` strings) and the app's
 * configured ones, if any. Without a configured catalog nothing is enforced. `resourceTypes` are
 * resource types a domain decides about without permissions of their own (token exchange asks
 * about a `user`): a policy may name them as its `resource`.
 *
 * @example
 * const catalog = createPermissionCatalog(TENANT_PERMISSIONS, { document: ['read', 'update'] });
 * catalog.findProblem('document.publish'); // '"publish" is not an action of "document" (read, update)'
 * catalog.findProblem('document.*');       // undefined
 */
export function createPermissionCatalog(
  builtIn: readonly string[],
  configured: PermissionCatalogConfig | undefined,
  resourceTypes: readonly string[] = [],
): PermissionCatalog {
  const resources = new Map<string, Set<string>>();
  const add = (resource: string, action: string) => {
    let actions = resources.get(resource);
    if (!actions) resources.set(resource, (actions = new Set()));
    actions.add(action);
  };
  for (const permission of builtIn) {
    const dot = permission.indexOf('.');
    add(permission.slice(0, dot), permission.slice(dot + 1));
  }
  for (const [resource, actions] of Object.entries(configured ?? {})) {
    for (const action of actions) add(resource, action);
  }
  const enforced = configured !== undefined;
  const listed: PermissionCatalogListing = {
    enforced,
    resources: [...resources.keys()].sort().map((resource) => ({
      resource,
      actions: [...resources.get(resource)!].sort(),
    })),
  };

  const unknownResource = (resource: string) => `unknown resource "${resource}"`;

  return {
    enforced,
    findProblem(pattern) {
      if (!enforced || pattern === '*') return undefined;
      const dot = pattern.indexOf('.');
      if (dot < 0) return `"${pattern}" is not a permission`;
      const resource = pattern.slice(0, dot);
      const action = pattern.slice(dot + 1);
      const actions = resources.get(resource);
      if (!actions) return unknownResource(resource);
      if (action === '*' || actions.has(action)) return undefined;
      return `"${action}" is not an action of "${resource}" (${[...actions].sort().join(', ')})`;
    },
    findResourceProblem(resource) {
      if (!enforced || resource === '*' || resources.has(resource) || resourceTypes.includes(resource))
        return undefined;
      return unknownResource(resource);
    },
    listing: () => structuredClone(listed),
  };
}

/**
 * Throws `unknown_permission` (422) naming every pattern of `patterns` the catalog does not
 * know, with issue paths `<field>.<index>`.
 */
export function assertKnownPermissions(
  catalog: PermissionCatalog,
  field: string,
  patterns: readonly string[],
): void {
  const issues = patterns.flatMap((pattern, index) => {
    const message = catalog.findProblem(pattern);
    return message ? [{ path: `${field}.${index}`, message }] : [];
  });
  if (issues.length > 0) {
    throw new AuthError('unknown_permission', {
      detail: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      issues,
    });
  }
}
