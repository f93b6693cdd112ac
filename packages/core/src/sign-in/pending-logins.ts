import { generateToken, sha256Hex } from '../crypto/random.js';
import type { KeyValue } from '../ports/key-value.js';
import type { MfaMethod, MfaRequired, PendingLogin } from './sign-in.js';

/** How long a proven first factor waits for its second. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;

// only the hash of the id is a key: a read of the store does not yield usable challenges
const keyOf = (challengeId: string) => `mfa:login:${sha256Hex(challengeId)}`;

/** Remembers a pending login under a new random challenge id, for `MFA_CHALLENGE_TTL_SECONDS`. */
export async function startPendingLogin(
  keyValue: KeyValue,
  pending: PendingLogin,
  methods: MfaMethod[],
): Promise<MfaRequired> {
  const challengeId = generateToken(32);
  await keyValue.set(keyOf(challengeId), JSON.stringify(pending), { ttlSeconds: MFA_CHALLENGE_TTL_SECONDS });
  return { mfaRequired: true, challengeId, methods };
}

/** The pending login behind a challenge id, without using it up; null when unknown or expired. */
export async function findPendingLogin(
  keyValue: KeyValue,
  challengeId: string,
): Promise<PendingLogin | null> {
  const stored = await keyValue.get(keyOf(challengeId));
  return stored ? (JSON.parse(stored) as PendingLogin) : null;
}

/**
 * Uses up a pending login: true for exactly one of concurrent callers, false when it is unknown,
 * expired or already taken.
 */
export async function takePendingLogin(keyValue: KeyValue, challengeId: string): Promise<boolean> {
  return (await keyValue.getAndDelete(keyOf(challengeId))) !== null;
}
