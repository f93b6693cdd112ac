import type { Page, PageRequest } from '../ports/pagination.js';
import type { ServiceDeps } from '../service-deps.js';
import type { TenantService } from '../tenants/tenant-service.js';
import type { Member } from './memberships.js';

export interface MembershipService {
  /** Members of the tenant; the caller needs `member.read` there (`not_found` if not a member). */
  listMembers(tenantId: string, userId: string, page: PageRequest): Promise<Page<Member>>;
}

export function createMembershipService(deps: ServiceDeps, tenants: TenantService): MembershipService {
  return {
    async listMembers(tenantId, userId, page) {
      await tenants.requirePermission(tenantId, userId, 'member.read');
      return deps.storage.memberships.listByTenant(tenantId, page);
    },
  };
}
