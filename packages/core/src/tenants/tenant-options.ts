import { z } from 'zod';
import { actionPatternSchema } from '../authorization/index.js';
import { AuthError } from '../errors.js';
import { DEFAULT_ROLES } from './default-roles.js';

const roleTemplateSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/),
  name: z.string().min(1).max(100),
  permissions: z.array(actionPatternSchema),
});

const tenantsShape = {
  /** Roles provisioned into every new tenant. Default owner/admin/member/viewer. */
  defaultRoles: z.array(roleTemplateSchema).min(1).default(DEFAULT_ROLES),
  /** Role given to a tenant's creator. Default `owner`. */
  creatorRole: z.string().default('owner'),
  /**
   * Role given to users who sign up into an isolated-pool tenant. Default `viewer`, which cannot
   * list the other members (anyone who knows the slug can sign up).
   */
  isolatedSignupRole: z.string().default('viewer'),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['tenants']`: the roles every new tenant starts with. */
export const tenantsOptionsSchema: z.ZodObject<typeof tenantsShape, z.core.$strict> =
  z.strictObject(tenantsShape);

/** The `tenants` options an app writes. */
export type TenantsOptions = z.input<typeof tenantsOptionsSchema>;

/** The tenant options after defaults, checked: the roles handed out are among the default roles. */
export function resolveTenantsOptions(options: z.output<typeof tenantsOptionsSchema>) {
  for (const key of [options.creatorRole, options.isolatedSignupRole]) {
    if (!options.defaultRoles.some((r) => r.key === key)) {
      throw new AuthError('config_invalid', {
        detail: `tenants: role "${key}" is not among the default roles`,
      });
    }
  }
  return options;
}

/** What the tenants domain receives. */
export type ResolvedTenantsOptions = ReturnType<typeof resolveTenantsOptions>;
