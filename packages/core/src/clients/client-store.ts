import type { Page, PageRequest } from '../ports/pagination.js';
import type { Client, ClientSecretSlot } from './clients.js';

/** The M2M clients slice of the storage port. */
export interface ClientStore {
  /** Inserts a client. Throws a conflict when the id exists. */
  create(client: Client): Promise<void>;
  /**
   * The client with this id, in any tenant and of any status (the id is what a client presents
   * at the token endpoint; the caller checks tenant, status and environment); or null.
   */
  findById(id: string): Promise<Client | null>;
  /** The tenant's active clients, ordered by id, page by page. */
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<Client>>;
  /**
   * Replaces the tenant's active client's secret in one conditional UPDATE, only while its
   * current secret hash is still `expectedSecretHash`: the current secret becomes the previous
   * one (valid until `previousSecretExpiresAt`, its last use carried over), the new hash becomes
   * current with `at` as its creation time. Of concurrent rotations exactly one wins. Returns the
   * client as this call left it, or null (absent, another tenant's, deleted, or rotated meanwhile).
   */
  rotateSecret(
    tenantId: string,
    id: string,
    change: { expectedSecretHash: string; secretHash: string; previousSecretExpiresAt: Date; at: Date },
  ): Promise<Client | null>;
  /**
   * Marks the tenant's active client deleted and forgets its secret hashes, setting `updatedAt`.
   * Returns true for the caller that deleted it (of concurrent callers exactly one wins); false
   * when absent, another tenant's or already deleted.
   */
  delete(tenantId: string, id: string, at: Date): Promise<boolean>;
  /**
   * Records that the client authenticated at `at` (with its current or previous secret, or
   * `null` for a signed assertion): sets `lastUsedAt` and that secret's last use. A blind write;
   * nothing happens to an absent or deleted client.
   */
  recordUse(id: string, slot: ClientSecretSlot | null, at: Date): Promise<void>;
}
