import type { ClientStore } from '../clients/client-store.js';
import type { Client } from '../clients/clients.js';
import {
  byId,
  conflict,
  copy,
  copyOrNull,
  type MemoryTables,
  ownedBy,
  paginate,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The M2M client store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryClientStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): ClientStore {
  const update = (client: Client, changes: Partial<Client>) => {
    const next = { ...client, ...changes };
    writer.set(tables.clients, client.id, next);
    return next;
  };
  return {
    create: (client) =>
      run(() => {
        if (tables.clients.has(client.id)) throw conflict('clients: id exists');
        writer.set(tables.clients, client.id, copy(client));
      }),
    findById: (id) => run(() => copyOrNull(tables.clients.get(id))),
    listByTenant: (tenantId, page) =>
      run(() =>
        paginate(
          [...tables.clients.values()]
            .filter((client) => client.tenantId === tenantId && client.status === 'active')
            .sort(byId),
          page,
          copy,
        ),
      ),
    rotateSecret: (tenantId, id, change) =>
      run(() => {
        const client = ownedBy(tables.clients.get(id), tenantId);
        if (!client || client.status !== 'active' || client.secretHash !== change.expectedSecretHash)
          return null;
        return copy(
          update(client, {
            previousSecretHash: client.secretHash,
            previousSecretExpiresAt: new Date(change.previousSecretExpiresAt),
            previousSecretLastUsedAt: client.secretLastUsedAt,
            secretHash: change.secretHash,
            secretCreatedAt: new Date(change.at),
            secretLastUsedAt: null,
            updatedAt: new Date(change.at),
          }),
        );
      }),
    delete: (tenantId, id, at) =>
      run(() => {
        const client = ownedBy(tables.clients.get(id), tenantId);
        if (!client || client.status !== 'active') return false;
        update(client, {
          status: 'deleted',
          secretHash: null,
          previousSecretHash: null,
          previousSecretExpiresAt: null,
          updatedAt: new Date(at),
        });
        return true;
      }),
    recordUse: (id, slot, at) =>
      run(() => {
        const client = tables.clients.get(id);
        if (!client || client.status !== 'active') return;
        update(client, {
          lastUsedAt: new Date(at),
          ...(slot === 'current' ? { secretLastUsedAt: new Date(at) } : {}),
          ...(slot === 'previous' ? { previousSecretLastUsedAt: new Date(at) } : {}),
        });
      }),
  };
}
