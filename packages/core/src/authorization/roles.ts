/**
 * A tenant-scoped role: a set of permissions `resource.action` with wildcards (`doc.*`, `*`).
 * `version` is bumped on every change and keys authorization caches.
 */
export interface Role {
  id: string;
  tenantId: string;
  key: string;
  name: string;
  permissions: string[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A role as declared in config and provisioned into every new tenant. */
export interface RoleTemplate {
  key: string;
  name: string;
  permissions: string[];
}
