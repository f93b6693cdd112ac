import type { PublicJwk } from '../ports/signer.js';
import type { SigningAlgorithm } from './tokens.js';

/**
 * Where a signing key is in its life: `next` (published, not signing yet), `active` (signing),
 * `retired` (published until the tokens it signed have expired), `revoked` (neither published
 * nor trusted: its tokens fail at once).
 */
export type SigningKeyState = 'next' | 'active' | 'retired' | 'revoked';

/** A signing key of one issuer. Its private half is stored only wrapped (envelope-encrypted). */
export interface SigningKey {
  /** The `kid`: the RFC 7638 thumbprint of the public key. */
  id: string;
  /** The issuer whose tokens it signs (the install's, or an isolated tenant's). */
  issuer: string;
  /** The tenant of a per-tenant issuer; null for the install's keys. */
  tenantId: string | null;
  algorithm: SigningAlgorithm;
  state: SigningKeyState;
  publicJwk: PublicJwk;
  /** The PKCS#8 private key sealed under the key-encryption key `keyEncryptionKeyVersion`. */
  wrappedPrivateKey: string;
  keyEncryptionKeyVersion: string;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  revokedAt: Date | null;
}

/**
 * The signing-keys slice of the storage port. Per issuer and algorithm, at most one key is
 * `active` and at most one is `next`: the database enforces it (a unique slot), so concurrent
 * first uses of an empty install make exactly one active key.
 */
export interface SigningKeyStore {
  /** Every key of the issuer, whatever its state, oldest first (by `createdAt`, then id). */
  listByIssuer(issuer: string): Promise<SigningKey[]>;
  /**
   * Inserts a key. Throws a conflict when its id exists, or when it is `active` or `next` and the
   * issuer already has a key in that state for its algorithm: of concurrent inserts of an active
   * key for one issuer and algorithm exactly one wins.
   */
  create(key: SigningKey): Promise<void>;
  /**
   * Moves the key from state `from` to `to`, stamping `at` as its `activatedAt`, `retiredAt` or
   * `revokedAt`. Returns true for the caller that moved it: of concurrent callers exactly one
   * wins; false when the key is absent or no longer in `from`. Throws a conflict when `to` is
   * `active` or `next` and another key of the issuer and algorithm holds that state.
   */
  transition(id: string, from: SigningKeyState, to: SigningKeyState, at: Date): Promise<boolean>;
  /**
   * Replaces the wrapped private key (a re-encryption under another key-encryption key) if it is
   * still `expectedWrappedPrivateKey`. Returns true when replaced; false when absent or changed
   * meanwhile (another instance rewrapped it first).
   */
  rewrap(
    id: string,
    expectedWrappedPrivateKey: string,
    wrappedPrivateKey: string,
    keyEncryptionKeyVersion: string,
  ): Promise<boolean>;
}
