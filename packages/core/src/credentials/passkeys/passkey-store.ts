import type { User } from '../../users/users.js';
import type { Passkey } from './passkeys.js';

/**
 * The passkey slice of the storage port. A credential id belongs to one passkey in the whole
 * install (unique on `credentialIdHash`). The signature counter only moves forward, by one
 * conditional write: of concurrent callers presenting the same counter value exactly one wins.
 *
 * @example
 * const found = await storage.passkeys.findByCredentialIdHash(sha256Hex(response.id))
 * if (found && (await tx.passkeys.advanceCounter(found.passkey.id, newCounter, now))) // accepted, once
 */
export interface PasskeyStore {
  /** Inserts a passkey. Throws a conflict when its credential id (hash) is already registered. */
  create(passkey: Passkey): Promise<void>;
  /** The user's passkeys, oldest first. */
  listByUser(userId: string): Promise<Passkey[]>;
  /** How many passkeys the user has. */
  countByUser(userId: string): Promise<number>;
  /** The passkey with this credential id hash and its user (any status), in one query; or null. */
  findByCredentialIdHash(credentialIdHash: string): Promise<{ passkey: Passkey; user: User } | null>;
  /**
   * Renames the user's passkey `id`; returns it renamed, or null when the user has no such
   * passkey (another user's id is null too).
   */
  rename(userId: string, id: string, name: string, updatedAt: Date): Promise<Passkey | null>;
  /** Deletes the user's passkey `id`; returns whether there was one (never another user's). */
  delete(userId: string, id: string): Promise<boolean>;
  /**
   * Records a use: one conditional write `SET counter = ?, last_used_at = ? WHERE id = ? AND
   * (counter < ? OR (? = 0 AND counter = 0))`. True for the caller whose write hit the row. A
   * counter at or below the stored one is refused (a replayed or cloned authenticator), and of
   * concurrent callers with the same value exactly one wins. Counter 0 on both sides is an
   * authenticator without a counter: always accepted.
   */
  advanceCounter(id: string, counter: number, usedAt: Date): Promise<boolean>;
}
