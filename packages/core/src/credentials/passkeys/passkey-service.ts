import { randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { recordChange } from '../../audit/index.js';
import type { CallContext } from '../../call-context.js';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { AuthError, isAuthError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { KeyValue } from '../../ports/key-value.js';
import type { Storage } from '../../ports/storage.js';
import { failureAccountKey, type Lockout, type RateLimiter } from '../../rate-limit/index.js';
import {
  credentialChangeEvent,
  requireFreshAuthentication,
  type Session,
  type SessionService,
  type SessionWithUser,
} from '../../sessions/index.js';
import type { MfaRequired, SignedIn, SignInService } from '../../sign-in/index.js';
import { normalizeEmail, type User } from '../../users/users.js';
import { parseInput } from '../../validation.js';
import { newRecoveryCodes } from '../totp/index.js';
import type { ResolvedPasskeysOptions } from './passkey-options.js';
import {
  type AuthenticatePasskeyInput,
  authenticatePasskeyInputSchema,
  type PasskeyAuthenticationOptionsInput,
  passkeyAuthenticationOptionsInputSchema,
  type RegisterPasskeyInput,
  type RenamePasskeyInput,
  registerPasskeyInputSchema,
  renamePasskeyInputSchema,
} from './passkey-schemas.js';
import {
  type Passkey,
  type PasskeyChallengePurpose,
  type PasskeyOptions,
  type PasskeyStepUp,
  type PasskeySummary,
  type RegisteredPasskey,
  toPasskeySummary,
} from './passkeys.js';

/** EdDSA, ES256, RS256: what platform authenticators and security keys use. */
const SUPPORTED_ALGORITHM_IDS = [-8, -7, -257];

/** What a challenge was issued for and to whom, in the key-value store under its hash. */
interface StoredChallenge {
  purpose: PasskeyChallengePurpose;
  /** The user it was issued for; null for a usernameless sign-in. */
  userId: string | null;
  /** `registration` and `step_up`: the session that asked. */
  sessionId: string | null;
  /** `second_factor`: the SHA-256 of the pending login's challenge id. */
  loginHash: string | null;
  expiresAtMs: number;
}

/** A passkey sign-in, second factor or step-up, as `authenticate` answers it. */
export type PasskeyAuthentication = SignedIn | MfaRequired | PasskeyStepUp;

/** The passkey operations of `auth.api`: registering, signing in or stepping up with, and managing passkeys. */
export interface PasskeysApi {
  /**
   * Starts registering a passkey for the signed-in user: WebAuthn creation options (a 256-bit
   * challenge, single use, bound to this session, valid `passkeys.timeoutSeconds` ≤ 300 s;
   * discoverable credential; the user's passkeys excluded). Needs an authentication at most 15
   * minutes old (`step_up_required` otherwise): a session cookie stolen from an old session
   * must not be enough to add a lasting way into the account.
   *
   * @example
   * const { options } = await auth.api.passkeyRegistrationOptions(current)
   * // browser: const response = await startRegistration({ optionsJSON: options })
   */
  passkeyRegistrationOptions(current: SessionWithUser, context?: CallContext): Promise<PasskeyOptions>;
  /**
   * Verifies the browser's registration response (challenge, origin among `passkeys.origins`,
   * rpID, user verification when `required`) and stores the passkey; audited
   * `passkey.registered` with its outbox event, and the owner is mailed. The session's
   * authentication must still be at most 15 minutes old. The user's first second factor comes
   * with 10 recovery codes (`recoveryCodes`, shown this once). `passkey_challenge_invalid` for
   * an unknown, expired, used or foreign challenge, `passkey_verification_failed` for anything
   * the verification refuses, `conflict` for a passkey already registered.
   *
   * @example
   * const { recoveryCodes, ...passkey } = await auth.api.registerPasskey(current, { response, name: 'Laptop' })
   */
  registerPasskey(
    current: SessionWithUser,
    input: RegisterPasskeyInput,
    context?: CallContext,
  ): Promise<RegisteredPasskey>;
  /**
   * WebAuthn request options. With `challengeId` (a pending login of `signIn`): for the second
   * factor, the user's passkeys allowed. Else with `current` (a session): step-up, bound to that
   * session. Else: a usernameless sign-in (any discoverable passkey of this site).
   *
   * @example
   * const { options } = await auth.api.passkeyAuthenticationOptions({}, null) // usernameless
   */
  passkeyAuthenticationOptions(
    input: PasskeyAuthenticationOptionsInput,
    current?: SessionWithUser | null,
    context?: CallContext,
  ): Promise<PasskeyOptions>;
  /**
   * Verifies an authentication response against the challenge it signed (single use) and the
   * passkey's stored key and counter (a counter that does not grow is
   * `passkey_counter_regression`). Answers, by what the options were for:
   * - usernameless sign-in: a new session, `amr` `['hwk', 'mfa']` when the authenticator verified
   *   the user, `['hwk']` otherwise, or `mfaRequired` when it did not and the user has TOTP;
   * - second factor (`challengeId`): a new session, `amr` `['pwd', 'hwk']` (or `['email', 'hwk']`);
   * - step-up (`current`): `{ session }`, the current session with `authTime.hwk` now.
   *
   * @example
   * const result = await auth.api.authenticateWithPasskey({ response }, null, context)
   * if ('token' in result) setCookie(result.token)
   */
  authenticateWithPasskey(
    input: AuthenticatePasskeyInput,
    current?: SessionWithUser | null,
    context?: CallContext,
  ): Promise<PasskeyAuthentication>;
  /**
   * The user's passkeys (no key material), oldest first.
   *
   * @example
   * const passkeys = await auth.api.listPasskeys(userId)
   */
  listPasskeys(userId: string): Promise<PasskeySummary[]>;
  /**
   * Renames one of the user's passkeys; `not_found` for an id that is not theirs. Audited
   * `passkey.renamed`.
   *
   * @example
   * await auth.api.renamePasskey(userId, passkeyId, { name: 'Work YubiKey' })
   */
  renamePasskey(
    userId: string,
    id: string,
    input: RenamePasskeyInput,
    context?: CallContext,
  ): Promise<PasskeySummary>;
  /**
   * Deletes one of the session user's passkeys. Needs a fresh authentication (within 5
   * minutes, `step_up_required` otherwise). Audited `passkey.deleted`; the owner is mailed. The
   * recovery codes go with the last second factor (no passkey left, no TOTP).
   *
   * @example
   * await auth.api.deletePasskey(current.session, passkeyId)
   */
  deletePasskey(session: Session, id: string, context?: CallContext): Promise<void>;
}

/** The passkeys domain: its `auth.api` operations. */
export interface PasskeyService {
  api: PasskeysApi;
}

/** What the passkey service uses. */
export interface PasskeyServiceDeps {
  storage: Storage;
  clock: Clock;
  /** Holds issued challenges (hashed) until their response comes. */
  keyValue: KeyValue;
  lockout: Lockout;
  rateLimiter: RateLimiter;
  sessions: SessionService;
  signIn: SignInService;
}

/** The passkey options, and the app's name the owner's notices are signed with. */
export interface PasskeyServiceOptions extends ResolvedPasskeysOptions {
  appName: string;
}

export function createPasskeyService(
  deps: PasskeyServiceDeps,
  options: PasskeyServiceOptions,
): PasskeyService {
  const { storage, clock, keyValue, lockout, rateLimiter, sessions, signIn } = deps;
  const { rpID, rpName, origins, userVerification, timeoutSeconds, appName } = options;
  const requireUserVerification = userVerification === 'required';
  const challengeKey = (challenge: string) => `passkey:challenge:${sha256Hex(challenge)}`;
  const accountKeyOf = (user: User) => failureAccountKey(user.tenantId, normalizeEmail(user.email));

  async function limit(subject: string, context: CallContext) {
    const state = await rateLimiter.consume('signIn', subject, { ip: context.ip });
    if (state) (context.rateLimits ??= []).push(state);
  }

  /** 256 random bits, remembered (hashed key, TTL ≤ 300 s) with what they were issued for. */
  function newChallenge(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(randomBytes(32));
  }

  async function saveChallenge(challenge: string, binding: Omit<StoredChallenge, 'expiresAtMs'>) {
    const stored: StoredChallenge = {
      ...binding,
      expiresAtMs: clock.now().getTime() + timeoutSeconds * 1000,
    };
    await keyValue.set(challengeKey(challenge), JSON.stringify(stored), { ttlSeconds: timeoutSeconds });
  }

  /**
   * Takes the challenge the response signed (single use: whatever happens next, it is gone);
   * `passkey_challenge_invalid` when unknown, expired or already taken.
   */
  async function takeChallenge(
    clientDataJSON: string,
  ): Promise<{ challenge: string; stored: StoredChallenge }> {
    const challenge = challengeOf(clientDataJSON);
    const raw = await keyValue.getAndDelete(challengeKey(challenge));
    if (raw === null) throw new AuthError('passkey_challenge_invalid');
    const stored = JSON.parse(raw) as StoredChallenge;
    // the store's TTL is in whole seconds and on another clock: the issuer's time decides
    if (stored.expiresAtMs <= clock.now().getTime()) {
      throw new AuthError('passkey_challenge_invalid', { detail: 'the challenge expired' });
    }
    return { challenge, stored };
  }

  function allowList(passkeys: Passkey[]) {
    return passkeys.map((p) => ({ id: p.credentialId, transports: p.transports }));
  }

  async function requirePasskey(userId: string, id: string): Promise<Passkey> {
    const found = (await storage.passkeys.listByUser(userId)).find((p) => p.id === id);
    if (!found) throw new AuthError('not_found', { detail: 'no such passkey' });
    return found;
  }

  const api: PasskeysApi = {
    async passkeyRegistrationOptions({ session, user }) {
      requireFreshAuthentication(session, 'passkey.register', clock.now());
      const existing = await storage.passkeys.listByUser(user.id);
      const options = await generateRegistrationOptions({
        rpName,
        rpID,
        userName: user.email,
        // the user handle: the id, not the email, so it reveals nothing and survives email changes
        userID: new TextEncoder().encode(user.id),
        userDisplayName: user.name ?? user.email,
        challenge: newChallenge(),
        timeout: timeoutSeconds * 1000,
        attestationType: 'none',
        excludeCredentials: allowList(existing),
        // discoverable: the passkey can sign in without an email typed first
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification },
        supportedAlgorithmIDs: SUPPORTED_ALGORITHM_IDS,
      });
      await saveChallenge(options.challenge, {
        purpose: 'registration',
        userId: user.id,
        sessionId: session.id,
        loginHash: null,
      });
      return { options: { ...options } };
    },

    async registerPasskey({ session, user }, rawInput, context = {}) {
      // checked again: the options may have been asked for just before the limit
      requireFreshAuthentication(session, 'passkey.register', clock.now());
      const input = parseInput(registerPasskeyInputSchema, rawInput);
      const { challenge, stored } = await takeChallenge(input.response.response.clientDataJSON);
      if (stored.purpose !== 'registration' || stored.sessionId !== session.id || stored.userId !== user.id) {
        throw new AuthError('passkey_challenge_invalid', {
          detail: 'the challenge was issued for another request',
        });
      }
      const verification = await verifyOrFail(() =>
        verifyRegistrationResponse({
          response: input.response as unknown as RegistrationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: origins,
          expectedRPID: rpID,
          requireUserVerification,
          supportedAlgorithmIDs: SUPPORTED_ALGORITHM_IDS,
        }),
      );
      if (!verification.verified) throw new AuthError('passkey_verification_failed');
      const info = verification.registrationInfo;
      const now = clock.now();
      const count = await storage.passkeys.countByUser(user.id);
      const passkey: Passkey = {
        id: uuidv7(now.getTime()),
        userId: user.id,
        credentialId: info.credential.id,
        credentialIdHash: sha256Hex(info.credential.id),
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: (info.credential.transports ?? input.response.response.transports ?? []).slice(0, 16),
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
        name: input.name ?? `Passkey ${count + 1}`,
        createdAt: now,
        lastUsedAt: null,
        updatedAt: now,
      };
      const userContext: CallContext = { ...context, actor: { type: 'user', id: user.id } };
      const recovery = await storage
        .transaction(async (tx) => {
          // the first second factor of any kind comes with recovery codes, as TOTP's does.
          // With the user's row locked, two first registrations (or one beside a TOTP
          // confirmation) cannot both see "no second factor yet" and both hand out recovery
          // codes, of which only the last written would work
          await tx.users.lock(user.id);
          const firstSecondFactor =
            (await tx.passkeys.countByUser(user.id)) === 0 && !(await tx.mfa.findTotp(user.id))?.confirmedAt;
          const recovery = firstSecondFactor ? newRecoveryCodes(user.id, now) : null;
          await tx.passkeys.create(passkey);
          const data = { userId: user.id, name: passkey.name, deviceType: passkey.deviceType };
          await recordChange(tx, clock, userContext, {
            tenantId: user.tenantId,
            action: 'passkey.registered',
            target: { type: 'passkey', id: passkey.id },
            data,
            event: credentialChangeEvent(
              'passkey.register',
              { user, appName, at: now, detail: `Passkey: ${passkey.name}` },
              data,
            ),
          });
          if (recovery) {
            await tx.mfa.replaceRecoveryCodes(user.id, recovery.rows);
            await recordChange(tx, clock, userContext, {
              tenantId: user.tenantId,
              action: 'mfa.recovery_codes_generated',
              target: { type: 'user', id: user.id },
              data: { count: recovery.rows.length },
            });
          }
          return recovery;
        })
        .catch((error) => {
          if (isAuthError(error, 'conflict')) {
            throw new AuthError('conflict', { detail: 'this passkey is already registered' });
          }
          throw error;
        });
      const summary = toPasskeySummary(passkey);
      return recovery ? { ...summary, recoveryCodes: recovery.codes } : summary;
    },

    async passkeyAuthenticationOptions(rawInput, current = null, context = {}) {
      const input = parseInput(passkeyAuthenticationOptionsInputSchema, rawInput);
      // each answer holds a challenge in the key-value store for minutes: bounded per client
      if (context.ip) await limit(`passkey-options:ip:${context.ip}`, context);
      let binding: Omit<StoredChallenge, 'expiresAtMs'>;
      let allowed: Passkey[] | undefined;
      if (input.challengeId !== undefined) {
        const pending = await signIn.findPendingLogin(input.challengeId);
        // a login a passkey started (without user verification) needs another factor than a passkey
        if (!pending || pending.firstFactor === 'hwk') throw new AuthError('mfa_challenge_invalid');
        allowed = await storage.passkeys.listByUser(pending.userId);
        binding = {
          purpose: 'second_factor',
          userId: pending.userId,
          sessionId: null,
          loginHash: sha256Hex(input.challengeId),
        };
      } else if (current) {
        allowed = await storage.passkeys.listByUser(current.user.id);
        binding = {
          purpose: 'step_up',
          userId: current.user.id,
          sessionId: current.session.id,
          loginHash: null,
        };
      } else {
        binding = { purpose: 'sign_in', userId: null, sessionId: null, loginHash: null };
      }
      if (allowed?.length === 0) {
        throw new AuthError('passkey_unknown', { detail: 'no passkey is registered for this account' });
      }
      const options = await generateAuthenticationOptions({
        rpID,
        ...(allowed ? { allowCredentials: allowList(allowed) } : {}),
        challenge: newChallenge(),
        timeout: timeoutSeconds * 1000,
        userVerification,
      });
      await saveChallenge(options.challenge, binding);
      return { options: { ...options } };
    },

    async authenticateWithPasskey(rawInput, current = null, context = {}) {
      const input = parseInput(authenticatePasskeyInputSchema, rawInput);
      const response = input.response;
      const credentialIdHash = sha256Hex(response.id);
      await limit(context.ip ? `ip:${context.ip}` : `passkey:${credentialIdHash}`, context);
      const { challenge, stored } = await takeChallenge(response.response.clientDataJSON);
      const boundHere =
        input.challengeId !== undefined
          ? stored.purpose === 'second_factor' && stored.loginHash === sha256Hex(input.challengeId)
          : stored.purpose === 'step_up'
            ? current !== null && stored.sessionId === current.session.id
            : stored.purpose === 'sign_in';
      if (!boundHere) {
        throw new AuthError('passkey_challenge_invalid', {
          detail: 'the challenge was issued for another request',
        });
      }
      const pending =
        input.challengeId !== undefined ? await signIn.findPendingLogin(input.challengeId) : null;
      if (input.challengeId !== undefined) {
        if (!pending || pending.userId !== stored.userId || pending.firstFactor === 'hwk') {
          throw new AuthError('mfa_challenge_invalid');
        }
        await limit(`mfa:${pending.userId}`, context);
      }

      const found = await storage.passkeys.findByCredentialIdHash(credentialIdHash);
      // a passkey of someone else than the one asked for is as unknown as one never registered
      if (!found || (stored.userId !== null && found.user.id !== stored.userId)) {
        throw new AuthError('passkey_unknown');
      }
      const { passkey, user } = found;
      // a failure counter of the account, as for passwords: reserved now, released once proven;
      // a passkey sign-in counts on one of its own (an assertion cannot be guessed, and sharing
      // the password's would let wrong passwords typed for an email lock its passkeys out), a
      // passkey completing a pending login on the second factor's
      const attempt = await lockout.beginAttempt(
        pending
          ? lockout.counterKey(pending.accountKey, 'second_factor', context.device?.cookie)
          : lockout.counterKey(accountKeyOf(user), 'passkey', context.device?.cookie),
      );
      // a failed proof counts on the account, durably, as a wrong password does
      let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        const userHandle = response.response.userHandle;
        if (userHandle && userHandle !== Buffer.from(user.id).toString('base64url')) {
          throw new AuthError('passkey_verification_failed', {
            detail: 'the user handle does not match the passkey',
          });
        }
        verification = await verifyOrFail(() =>
          verifyAuthenticationResponse({
            response: response as unknown as AuthenticationResponseJSON,
            expectedChallenge: challenge,
            expectedOrigin: origins,
            expectedRPID: rpID,
            credential: {
              id: passkey.credentialId,
              publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
              // 0: the library skips its own counter check; the store's conditional write below
              // is the check, and the only one that holds when two responses race
              counter: 0,
              transports: passkey.transports,
            },
            requireUserVerification,
          }),
        );
        if (!verification.verified) throw new AuthError('passkey_verification_failed');
      } catch (error) {
        await lockout.failed(attempt);
        throw error;
      }
      const { newCounter, userVerified } = verification.authenticationInfo;
      // only after the proof may the answer depend on the account
      if (user.status !== 'active') throw new AuthError('user_suspended');
      const userContext: CallContext = { ...context, actor: { type: 'user', id: user.id } };
      const now = clock.now();

      // a refused counter write is audited after its transaction rolled back (a cloned
      // authenticator is worth an alert), then answered as a regression
      const regressed = new AuthError('passkey_counter_regression');
      async function advance(stores: Pick<typeof storage, 'passkeys'>) {
        if (!(await stores.passkeys.advanceCounter(passkey.id, newCounter, now))) throw regressed;
      }
      async function auditRegression(error: unknown): Promise<never> {
        if (error === regressed) {
          await storage.transaction((tx) =>
            recordChange(tx, clock, userContext, {
              tenantId: user.tenantId,
              action: 'passkey.counter_regressed',
              target: { type: 'passkey', id: passkey.id },
              data: { userId: user.id, storedCounter: passkey.counter, presentedCounter: newCounter },
            }),
          );
        }
        throw error;
      }

      if (stored.purpose === 'step_up' && current) {
        await advance(storage).catch(auditRegression);
        const session = await sessions.recordAuthentication(current, 'hwk', userContext);
        await lockout.succeeded(attempt);
        return { session };
      }

      if (pending && input.challengeId !== undefined) {
        const challengeId = input.challengeId;
        const issued = await storage
          .transaction(async (tx) => {
            await advance(tx);
            return signIn.completePendingLogin(tx, {
              challengeId,
              pending,
              user,
              method: 'hwk',
              context: userContext,
            });
          })
          .catch(auditRegression);
        await lockout.succeeded(attempt);
        return { user, ...issued };
      }

      // a usernameless sign-in: with user verification the passkey is two factors in one
      // (something you have, unlocked by something you know or are); without, it is one, and a
      // user with another second factor must give it
      return signIn
        .completeSignIn({
          user,
          method: 'hwk',
          multiFactor: userVerified,
          attempt,
          context,
          commit: (tx) => advance(tx),
        })
        .catch(auditRegression);
    },

    async listPasskeys(userId) {
      return (await storage.passkeys.listByUser(userId)).map(toPasskeySummary);
    },

    async renamePasskey(userId, id, rawInput, context = {}) {
      const input = parseInput(renamePasskeyInputSchema, rawInput);
      const user = await storage.users.findById(userId);
      if (!user) throw new AuthError('unauthenticated');
      const renamed = await storage.transaction(async (tx) => {
        const renamed = await tx.passkeys.rename(userId, id, input.name, clock.now());
        if (!renamed) throw new AuthError('not_found', { detail: 'no such passkey' });
        await recordChange(
          tx,
          clock,
          { ...context, actor: context.actor ?? { type: 'user', id: userId } },
          {
            tenantId: user.tenantId,
            action: 'passkey.renamed',
            target: { type: 'passkey', id },
            data: { userId, name: input.name },
          },
        );
        return renamed;
      });
      return toPasskeySummary(renamed);
    },

    async deletePasskey(session, id, context = {}) {
      requireFreshAuthentication(session, 'passkey.delete', clock.now());
      const user = await storage.users.findById(session.userId);
      if (!user) throw new AuthError('unauthenticated');
      const passkey = await requirePasskey(user.id, id);
      await storage.transaction(async (tx) => {
        if (!(await tx.passkeys.delete(user.id, id)))
          throw new AuthError('not_found', { detail: 'no such passkey' });
        // recovery codes recover a second factor: they go with the last one
        const lastSecondFactor =
          (await tx.passkeys.countByUser(user.id)) === 0 && !(await tx.mfa.findTotp(user.id))?.confirmedAt;
        const recoveryCodesDeleted = lastSecondFactor ? await tx.mfa.deleteRecoveryCodes(user.id) : 0;
        const data = { userId: user.id, name: passkey.name, recoveryCodesDeleted };
        await recordChange(
          tx,
          clock,
          { ...context, actor: context.actor ?? { type: 'user', id: user.id } },
          {
            tenantId: user.tenantId,
            action: 'passkey.deleted',
            target: { type: 'passkey', id },
            data,
            event: credentialChangeEvent(
              'passkey.delete',
              { user, appName, at: clock.now(), detail: `Passkey: ${passkey.name}` },
              data,
            ),
          },
        );
      });
    },
  };

  return { api };
}

/** The challenge inside a response's `clientDataJSON`; garbage is a failed verification. */
function challengeOf(clientDataJSON: string): string {
  let challenge: unknown;
  try {
    challenge = (
      JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown }
    )?.challenge;
  } catch {
    throw new AuthError('passkey_verification_failed', { detail: 'clientDataJSON is not valid JSON' });
  }
  if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 256) {
    throw new AuthError('passkey_verification_failed', { detail: 'clientDataJSON holds no challenge' });
  }
  return challenge;
}

/**
 * Runs a `@simplewebauthn/server` verification. It throws plain `Error`s on anything it refuses
 * (wrong origin, garbage CBOR, bad signature...): each becomes `passkey_verification_failed`
 * with a detail safe to show, never a 500.
 */
async function verifyOrFail<T>(verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch (error) {
    if (isAuthError(error)) throw error;
    throw new AuthError('passkey_verification_failed', { detail: describeFailure(error), cause: error });
  }
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/\borigin\b/i.test(message)) return 'the response was made on an origin this site does not allow';
  if (/RP ID/i.test(message)) return 'the response was made for another relying party (rpID)';
  if (/user verification/i.test(message)) return 'user verification is required and was not performed';
  if (/user presence|not present/i.test(message)) return 'the user was not present';
  if (/response type/i.test(message)) return 'the response is of the wrong ceremony';
  if (/alg/i.test(message)) return 'the public key algorithm is not supported';
  if (/challenge/i.test(message)) return 'the response does not answer the challenge';
  return 'the response is malformed or its signature is invalid';
}
