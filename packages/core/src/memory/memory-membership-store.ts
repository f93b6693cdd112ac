import type { MembershipStore } from '../memberships/membership-store.js';
import type { Member, Membership } from '../memberships/memberships.js';
import {
  byId,
  compare,
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  paginate,
  pairKey,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The membership store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryMembershipStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): MembershipStore {
  return {
    create: (membership) =>
      run(() => {
        const key = pairKey(membership.tenantId, membership.userId);
        if (tables.memberships.has(membership.id)) throw conflict('memberships: id exists');
        if (tables.membershipIdByTenantUser.has(key)) throw conflict('memberships: user is already a member');
        writer.set(tables.memberships, membership.id, copy(membership));
        writer.set(tables.membershipIdByTenantUser, key, membership.id);
      }),
    find: (tenantId, userId) =>
      run(() =>
        copyOrNull(
          lookup(tables.memberships, tables.membershipIdByTenantUser.get(pairKey(tenantId, userId))),
        ),
      ),
    listByTenant: (tenantId, page) =>
      run(() => {
        const members: Member[] = [];
        for (const membership of tables.memberships.values()) {
          // an inner join, as a database would do it: a membership without its user is not listed
          const user = membership.tenantId === tenantId ? tables.users.get(membership.userId) : undefined;
          if (user) {
            members.push({
              ...membership,
              user: { id: user.id, email: user.email, name: user.name, status: user.status },
            });
          }
        }
        return paginate(members.sort(byId), page, copy);
      }),
    listByUser: (userId) =>
      run(() =>
        [...tables.memberships.values()]
          .filter((membership) => membership.userId === userId)
          .sort((a, b) => compare(a.tenantId, b.tenantId) || compare(a.id, b.id))
          .map(copy),
      ),
    updateRoles: (tenantId, userId, roles, updatedAt) =>
      run(() => updateMembership(tenantId, userId, { roles: copy(roles), updatedAt: new Date(updatedAt) })),
    updateAttributes: (tenantId, userId, attributes, updatedAt) =>
      run(() =>
        updateMembership(tenantId, userId, { attributes: copy(attributes), updatedAt: new Date(updatedAt) }),
      ),
    remove: (tenantId, userId) =>
      run(() => {
        const key = pairKey(tenantId, userId);
        const id = tables.membershipIdByTenantUser.get(key);
        if (id === undefined) return false;
        writer.delete(tables.memberships, id);
        writer.delete(tables.membershipIdByTenantUser, key);
        return true;
      }),
    countWithRole: (tenantId, roleKey) =>
      run(() => {
        let count = 0;
        for (const membership of tables.memberships.values()) {
          if (membership.tenantId === tenantId && membership.roles.includes(roleKey)) count += 1;
        }
        return count;
      }),
  };

  function updateMembership(tenantId: string, userId: string, changes: Partial<Membership>) {
    const current = lookup(
      tables.memberships,
      tables.membershipIdByTenantUser.get(pairKey(tenantId, userId)),
    );
    if (!current) return null;
    const next = { ...current, ...changes };
    writer.set(tables.memberships, current.id, next);
    return copy(next);
  }
}
