import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import type { Clock } from '../ports/clock.js';
import type { StorageStores } from '../ports/storage.js';
import { recordSessionsRevoked } from '../sessions/index.js';
import type { User } from '../users/users.js';

/** How the address was proven: the link, the reset or the provider that reached its owner. */
export type AddressProof = 'email_verification' | 'magic_link' | 'password_reset' | 'oauth';

/**
 * What the proof itself establishes, and so survives it. (The password a reset chooses and the
 * session a magic link or a provider opens are written by the caller after the claim.)
 */
export interface ClaimKeeps {
  /** The provider account that made the proof. */
  oauthAccountId?: string;
  /** The session of the browser that made the proof, when it is signed in to this account. */
  sessionId?: string;
  /**
   * Every credential: the proof came from a browser signed in to this very account, so whoever
   * set them up is the address's owner (a squatter cannot put their session into the owner's
   * browser: sign-in is CSRF-checked and the cookie host-only). Other sessions are revoked all
   * the same.
   */
  credentials?: boolean;
}

/** A first proof of an address: who, which address (exactly as stored on the user), and how. */
export interface AddressClaim {
  user: User;
  email: string;
  via: AddressProof;
  keep?: ClaimKeeps;
  /** Extra audit details of the proof (e.g. the provider); never secrets. */
  data?: Record<string, unknown>;
}

/** What a first proof removed: counts and ids, never a secret. */
export interface ClaimRemoved {
  sessions: number;
  password: boolean;
  totp: boolean;
  recoveryCodes: number;
  passkeys: string[];
  oauthAccounts: { id: string; provider: string }[];
}

/** The outcome of the first proof of an address. */
export interface ClaimedAddress {
  verifiedAt: Date;
  removed: ClaimRemoved;
}

/**
 * Marks the user's address verified and, when this is its FIRST proof, takes the account back
 * from whoever registered it before its owner (account pre-hijacking): every session is revoked
 * and every credential is removed — password, TOTP and recovery codes, passkeys, linked provider
 * accounts — except what the proof itself establishes ({@link ClaimKeeps}). All on the caller's
 * transaction, with `email.verified` and `user.email_claimed` audit entries and outbox events,
 * so the address is never verified while a credential set before its proof survives.
 *
 * Every credential of a user whose address is unverified was set by someone who had not proven
 * it: the owner, or a squatter who signed up with the owner's address to wait for them. The two
 * cannot be told apart, so none of it is trusted once the owner shows up; the owner keeps the
 * account (its id, name and memberships) and signs in with what the proof gave them.
 *
 * Returns null, removing nothing, when the address was already verified (not a first proof) or
 * is no longer `email` (changed since the proof was sent): `markEmailVerified` is the one
 * conditional write that decides, so of concurrent proofs exactly one claims.
 *
 * @example
 * const claimed = await claimAddress(tx, clock, context, { user, email: used.email, via: 'magic_link' })
 */
export async function claimAddress(
  tx: StorageStores,
  clock: Clock,
  context: CallContext,
  claim: AddressClaim,
): Promise<ClaimedAddress | null> {
  const { user, via, keep = {} } = claim;
  const now = clock.now();
  if (!(await tx.users.markEmailVerified(user.id, claim.email, now))) return null;
  const userContext: CallContext = { ...context, actor: { type: 'user', id: user.id } };
  const target = { type: 'user', id: user.id };
  await recordChange(tx, clock, userContext, {
    tenantId: user.tenantId,
    action: 'email.verified',
    target,
    data: { userId: user.id, via, ...claim.data },
  });

  const sessions = await tx.sessions.revokeAllForUser(user.id, now, 'email_claimed', keep.sessionId);
  const removed: ClaimRemoved = {
    sessions,
    password: false,
    totp: false,
    recoveryCodes: 0,
    passkeys: [],
    oauthAccounts: [],
  };
  if (!keep.credentials) {
    removed.password = await tx.passwords.delete(user.id);
    removed.totp = await tx.mfa.deleteTotp(user.id);
    removed.recoveryCodes = await tx.mfa.deleteRecoveryCodes(user.id);
    // passkeys and provider accounts one by one: their ids and providers go into the audit entry
    for (const passkey of await tx.passkeys.listByUser(user.id)) {
      if (await tx.passkeys.delete(user.id, passkey.id)) removed.passkeys.push(passkey.id);
    }
    for (const account of await tx.oauthAccounts.listByUser(user.id)) {
      if (account.id === keep.oauthAccountId) continue;
      if (await tx.oauthAccounts.delete(user.id, account.id)) {
        removed.oauthAccounts.push({ id: account.id, provider: account.provider });
      }
    }
  }
  // memberships stay with the account (the owner may have made them, and removing a tenant's
  // last owner would orphan it); they are named so the owner and the tenants can review them.
  // Nothing in them lets a squatter back into the account: tenants grant no sign-in.
  const memberships = (await tx.memberships.listByUser(user.id)).map((m) => m.tenantId);

  await recordChange(tx, clock, userContext, {
    tenantId: user.tenantId,
    action: 'user.email_claimed',
    target,
    data: {
      userId: user.id,
      via,
      ...claim.data,
      removed,
      ...(keep.sessionId ? { keptSessionId: keep.sessionId } : {}),
      memberships,
    },
  });
  await recordSessionsRevoked(tx, clock, userContext, {
    userId: user.id,
    count: sessions,
    reason: 'email_claimed',
    keptSessionId: keep.sessionId,
  });
  return { verifiedAt: now, removed };
}
