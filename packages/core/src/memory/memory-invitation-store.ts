import type { InvitationStore } from '../invitations/invitation-store.js';
import type { Invitation } from '../invitations/invitations.js';
import {
  byId,
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  ownedBy,
  paginate,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The invitation store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryInvitationStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): InvitationStore {
  const update = (invitation: Invitation, changes: Partial<Invitation>) => {
    const next = { ...invitation, ...changes };
    writer.set(tables.invitations, invitation.id, next);
    return next;
  };
  return {
    create: (invitation) =>
      run(() => {
        if (tables.invitations.has(invitation.id)) throw conflict('invitations: id exists');
        if (tables.invitationIdByTokenHash.has(invitation.tokenHash))
          throw conflict('invitations: token hash exists');
        writer.set(tables.invitations, invitation.id, copy(invitation));
        writer.set(tables.invitationIdByTokenHash, invitation.tokenHash, invitation.id);
      }),
    findByTokenHash: (tokenHash) =>
      run(() => copyOrNull(lookup(tables.invitations, tables.invitationIdByTokenHash.get(tokenHash)))),
    listByTenant: (tenantId, page) =>
      run(() =>
        paginate(
          [...tables.invitations.values()]
            .filter((invitation) => invitation.tenantId === tenantId)
            .sort(byId),
          page,
          copy,
        ),
      ),
    revoke: (tenantId, id, updatedAt) =>
      run(() => {
        const invitation = ownedBy(tables.invitations.get(id), tenantId);
        if (!invitation || invitation.status !== 'pending') return false;
        update(invitation, { status: 'revoked', updatedAt: new Date(updatedAt) });
        return true;
      }),
    consumeUse: (id, now) =>
      run(() => {
        const invitation = tables.invitations.get(id);
        if (
          !invitation ||
          invitation.status !== 'pending' ||
          invitation.expiresAt.getTime() <= now.getTime() ||
          invitation.uses >= invitation.maxUses
        )
          return null;
        const uses = invitation.uses + 1;
        return copy(
          update(invitation, {
            uses,
            status: uses >= invitation.maxUses ? 'exhausted' : 'pending',
            updatedAt: new Date(now),
          }),
        );
      }),
  };
}
