import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { AuthError, isAuthError } from '../errors.js';
import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import type { Signer } from '../ports/signer.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import {
  createKeyWrapper,
  generateSigningKeyMaterial,
  localSigner,
  type SigningKeyMaterial,
} from './signing-key-material.js';
import {
  createProcessKeyRing,
  createSignerKeyRing,
  type PublishedJwk,
  type SigningKeyRing,
  verificationKeyCache,
} from './signing-key-ring.js';
import type { SigningKey, SigningKeyState } from './signing-key-store.js';
import type { IssuerScope, TokenIssuers } from './token-issuers.js';
import { MAX_ACCESS_TOKEN_TTL_SECONDS, type ResolvedTokenOptions } from './token-options.js';
import type { SigningAlgorithm } from './tokens.js';

/** A signing key as operators see it: never its private half. */
export interface SigningKeyInfo {
  kid: string;
  algorithm: SigningAlgorithm;
  state: SigningKeyState;
  /** Listed in the JWKS now. */
  published: boolean;
  keyEncryptionKeyVersion: string;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  revokedAt: Date | null;
}

/** Names whose keys an operation is about: the install's (default) or a tenant's own issuer. */
export interface SigningKeyIssuerOptions {
  /**
   * An isolated-pool tenant with its own issuer (`tokens.tenantIssuers`). Omitted: the install's
   * keys. A tenant without its own issuer is `not_found`.
   */
  tenantId?: string;
}

/** The signing-key operations of `auth.api` (and `portcullis keys`). */
export interface SigningKeysApi {
  /**
   * The JSON Web Key Set of the issuer: the public halves of the next, active and recently
   * retired keys (what `GET /.well-known/jwks.json` serves; a tenant's own issuer's, what
   * `GET /tenants/:tenantId/.well-known/jwks.json` serves).
   *
   * @example
   * const { keys } = await auth.api.getJwks()
   * const tenantKeys = await auth.api.getJwks({ tenantId })
   */
  getJwks(options?: SigningKeyIssuerOptions): Promise<{ keys: PublishedJwk[] }>;
  /** Every signing key of the issuer with its state, oldest first; no private fields. */
  listSigningKeys(options?: SigningKeyIssuerOptions): Promise<SigningKeyInfo[]>;
  /**
   * Rotates now: the active key retires (still published for the longest token lifetime), the
   * next key (published at least `jwksCacheSeconds` ago) signs, and a new next key is published.
   * Throws `signing_key_not_ready` when the next key is younger than that. On an empty install it
   * creates the first keys. Audited `signing_key.rotated`, with an outbox event.
   *
   * @example
   * await auth.api.rotateSigningKeys({ algorithm: 'EdDSA' })
   * await auth.api.rotateSigningKeys({ tenantId }) // an isolated-pool tenant's own issuer
   */
  rotateSigningKeys(
    options?: { algorithm?: SigningAlgorithm } & SigningKeyIssuerOptions,
    context?: CallContext,
  ): Promise<SigningKeyInfo[]>;
  /**
   * Revokes a key of the issuer at once (a suspected leak): it leaves the JWKS and every token it
   * signed fails verification. An active key is replaced by the next one immediately. Audited
   * `signing_key.revoked`. Throws `not_found` for a kid the issuer does not have.
   */
  revokeSigningKey(
    kid: string,
    options?: SigningKeyIssuerOptions,
    context?: CallContext,
  ): Promise<SigningKeyInfo>;
  /**
   * Re-encrypts every private key of the issuer under the first key-encryption key (after adding
   * a new one). Safe while serving: old versions keep unwrapping until they are removed from the
   * config. Returns how many keys were rewrapped. Audited `signing_keys.rewrapped`.
   */
  rewrapSigningKeys(options?: SigningKeyIssuerOptions, context?: CallContext): Promise<{ rewrapped: number }>;
}

export interface SigningKeyService {
  /** The install's key ring. */
  keyRing: SigningKeyRing;
  /** The key ring of an issuer (the install's, or a tenant's own): one per issuer, kept. */
  keyRingOf(scope: IssuerScope): SigningKeyRing;
  api: SigningKeysApi;
  /**
   * Settles once the install's issuer has a key that signs now (on an empty install its first
   * key is created, as the first sign-in would); rejects when it cannot. It signs nothing, so it
   * says nothing in the log: the readiness probe calls it.
   */
  assertCanSign(): Promise<void>;
  /**
   * Waits for the work signing started in the background (a successor key being published) and
   * starts no more: `auth.close()` calls it, so nothing reaches the database once it resolved.
   */
  stop(): Promise<void>;
}

// A key list this young is used as is; an unknown kid forces a reload at most this often.
const KEY_LIST_FRESH_MS = 5_000;
const UNKNOWN_KID_RELOAD_MS = 1_000;
// Tokens may carry an `iat` up to the verifier's tolerance ahead; keep retired keys a little longer.
const RETIRED_GRACE_SECONDS = 60;

/**
 * The signing keys of each issuer (the install's, and with `tokens.tenantIssuers` each
 * isolated-pool tenant's own), stored envelope-encrypted: created on first need, rotated
 * automatically after `rotationIntervalSeconds` (and on demand), each published before it signs
 * and after it stops. Every issuer has its own keys and lifecycle. With `signers` configured the
 * install's keys are the KMS's instead; without key-encryption keys, they live in this process
 * only (logged).
 */
export function createSigningKeyService(
  collaborators: { storage: Storage; clock: Clock; logger: EventLogger; issuers: TokenIssuers },
  options: ResolvedTokenOptions,
): SigningKeyService {
  const { storage, clock, logger, issuers } = collaborators;
  const { algorithms, jwksCacheSeconds, rotationIntervalSeconds, rsaModulusLength } = options.signingKeys;
  const wrapper = createKeyWrapper(options.signingKeys.keyEncryptionKeys);
  const importKey = verificationKeyCache();
  const signers = new Map<string, Signer>();
  const external =
    options.signingKeys.signers.length > 0 ? createSignerKeyRing(options.signingKeys.signers) : null;
  const inProcess = !external && wrapper.currentVersion === null;
  /** Work started in the background, until it settles; none is started once stopping. */
  const background = new Set<Promise<void>>();
  let stopping = false;
  function inBackground(work: () => Promise<void>): void {
    if (stopping) return;
    const running = work().finally(() => background.delete(running));
    background.add(running);
  }

  function isPublished(key: SigningKey, now: Date): boolean {
    if (key.state === 'next' || key.state === 'active') return true;
    if (key.state !== 'retired' || !key.retiredAt) return false;
    return (
      now.getTime() < key.retiredAt.getTime() + (MAX_ACCESS_TOKEN_TTL_SECONDS + RETIRED_GRACE_SECONDS) * 1000
    );
  }

  function info(key: SigningKey, now = clock.now()): SigningKeyInfo {
    return {
      kid: key.id,
      algorithm: key.algorithm,
      state: key.state,
      published: isPublished(key, now),
      keyEncryptionKeyVersion: key.keyEncryptionKeyVersion,
      createdAt: key.createdAt,
      activatedAt: key.activatedAt,
      retiredAt: key.retiredAt,
      revokedAt: key.revokedAt,
    };
  }

  function signerOf(key: SigningKey): Signer {
    let signer = signers.get(key.id);
    if (!signer) {
      const pem = wrapper.unwrap(key.wrappedPrivateKey, key.keyEncryptionKeyVersion);
      signer = localSigner(key.id, key.algorithm, key.publicJwk, pem);
      signers.set(key.id, signer);
    }
    return signer;
  }

  function ready(next: SigningKey, now: Date): boolean {
    return now.getTime() - next.createdAt.getTime() >= jwksCacheSeconds * 1000;
  }

  /** One issuer's stored keys: its own cache, lifecycle and administration. */
  function createIssuerKeys({ issuer, tenantId }: IssuerScope) {
    let cached: { keys: SigningKey[]; loadedAtMs: number } | null = null;
    let loading: Promise<SigningKey[]> | null = null;
    let lastForcedReloadMs = Number.NEGATIVE_INFINITY;

    function load(force = false): Promise<SigningKey[]> {
      const nowMs = performance.now();
      if (!force && cached && nowMs - cached.loadedAtMs < KEY_LIST_FRESH_MS)
        return Promise.resolve(cached.keys);
      if (loading) return loading;
      loading = storage.signingKeys
        .listByIssuer(issuer)
        .then((keys) => {
          cached = { keys, loadedAtMs: performance.now() };
          return keys;
        })
        .finally(() => {
          loading = null;
        });
      return loading;
    }

    function toRow(material: SigningKeyMaterial, state: 'active' | 'next', now: Date): SigningKey {
      const { wrapped, version } = wrapper.wrap(material.privateKeyPem);
      return {
        id: material.kid,
        issuer,
        tenantId,
        algorithm: material.alg,
        state,
        publicJwk: material.publicJwk,
        wrappedPrivateKey: wrapped,
        keyEncryptionKeyVersion: version,
        createdAt: now,
        activatedAt: state === 'active' ? now : null,
        retiredAt: null,
        revokedAt: null,
      };
    }

    /** Runs a key change; a lost race (conflict) is not an error: the winner's keys are read back. */
    async function change(run: (tx: StorageStores) => Promise<void>): Promise<boolean> {
      try {
        await storage.transaction(run);
        return true;
      } catch (error) {
        if (!isAuthError(error, 'conflict')) throw error;
        return false;
      } finally {
        cached = null;
      }
    }

    /** The first keys of an empty install for `alg`: an active one and the next one. */
    async function createFirstKeys(alg: SigningAlgorithm, context: CallContext): Promise<void> {
      const [active, next] = await Promise.all([
        generateSigningKeyMaterial(alg, rsaModulusLength),
        generateSigningKeyMaterial(alg, rsaModulusLength),
      ]);
      const now = clock.now();
      // of concurrent first uses the database lets one active key in; the others read it back
      await change(async (tx) => {
        await tx.signingKeys.create(toRow(active, 'active', now));
        await tx.signingKeys.create(toRow(next, 'next', now));
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'signing_key.created',
          target: { type: 'signing_key', id: active.kid },
          data: { algorithm: alg, activeKid: active.kid, nextKid: next.kid, issuer },
        });
      });
    }

    /** active → retired, next → active, a new next; false when another instance rotated first. */
    async function promote(
      active: SigningKey | undefined,
      next: SigningKey,
      reason: 'scheduled' | 'manual' | 'revoked',
      context: CallContext,
    ): Promise<boolean> {
      const material = await generateSigningKeyMaterial(next.algorithm, rsaModulusLength);
      const now = clock.now();
      return change(async (tx) => {
        if (active && active.state === 'active') {
          if (!(await tx.signingKeys.transition(active.id, 'active', 'retired', now))) throw lostRace();
        }
        if (!(await tx.signingKeys.transition(next.id, 'next', 'active', now))) throw lostRace();
        await tx.signingKeys.create(toRow(material, 'next', now));
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'signing_key.rotated',
          target: { type: 'signing_key', id: next.id },
          data: {
            algorithm: next.algorithm,
            reason,
            retiredKid: active?.state === 'active' ? active.id : null,
            activeKid: next.id,
            nextKid: material.kid,
            issuer,
          },
        });
      });
    }

    const publishingNext = new Set<SigningAlgorithm>();
    /** A successor for an active key that has none (in the background: signing need not wait). */
    async function publishNextKey(alg: SigningAlgorithm): Promise<void> {
      if (publishingNext.has(alg)) return;
      publishingNext.add(alg);
      try {
        const material = await generateSigningKeyMaterial(alg, rsaModulusLength);
        const now = clock.now();
        await change(async (tx) => {
          await tx.signingKeys.create(toRow(material, 'next', now));
          await recordChange(
            tx,
            clock,
            {},
            {
              tenantId,
              action: 'signing_key.created',
              target: { type: 'signing_key', id: material.kid },
              data: { algorithm: alg, nextKid: material.kid, issuer },
            },
          );
        });
      } catch (error) {
        logger.warn('portcullis.signing_key.next_not_published', { algorithm: alg, error });
      } finally {
        publishingNext.delete(alg);
      }
    }

    const storedRing: SigningKeyRing = {
      async signer(alg) {
        for (let attempt = 0; attempt < 3; attempt++) {
          const keys = await load(attempt > 0);
          const active = keys.find((k) => k.algorithm === alg && k.state === 'active');
          const next = keys.find((k) => k.algorithm === alg && k.state === 'next');
          const now = clock.now();
          if (!active) {
            // nothing signs: a published next key takes over at once (as after a revocation)
            if (next) await promote(undefined, next, 'revoked', {});
            else await createFirstKeys(alg, {});
            continue;
          }
          const due =
            active.activatedAt &&
            now.getTime() - active.activatedAt.getTime() >= rotationIntervalSeconds * 1000;
          if (due && next && ready(next, now)) {
            await promote(active, next, 'scheduled', {});
            continue;
          }
          if (!next) inBackground(() => publishNextKey(alg));
          return signerOf(active);
        }
        throw new AuthError('storage_unavailable', { detail: 'no active signing key could be read' });
      },
      cachedSigner(alg) {
        const active = cached?.keys.find((k) => k.algorithm === alg && k.state === 'active');
        return active ? signerOf(active) : null;
      },
      async verificationKey(kid) {
        let keys = await load();
        let key = keys.find((k) => k.id === kid);
        if (!key && performance.now() - lastForcedReloadMs >= UNKNOWN_KID_RELOAD_MS) {
          lastForcedReloadMs = performance.now();
          keys = await load(true);
          key = keys.find((k) => k.id === kid);
        }
        if (!key || !isPublished(key, clock.now())) return null;
        return importKey(key.id, key.algorithm, key.publicJwk);
      },
      async publishedKeys() {
        const now = clock.now();
        return (await load())
          .filter((k) => algorithms.includes(k.algorithm) && isPublished(k, now))
          .map((k) => ({ ...k.publicJwk, kid: k.id, alg: k.algorithm, use: 'sig' as const }));
      },
    };

    return {
      ring: storedRing,
      async list(): Promise<SigningKeyInfo[]> {
        const now = clock.now();
        return (await load(true)).map((k) => info(k, now));
      },
      async rotate(alg: SigningAlgorithm, context: CallContext): Promise<SigningKeyInfo[]> {
        const keys = await load(true);
        const active = keys.find((k) => k.algorithm === alg && k.state === 'active');
        const next = keys.find((k) => k.algorithm === alg && k.state === 'next');
        const now = clock.now();
        if (!active && !next) await createFirstKeys(alg, context);
        else if (!next || !ready(next, now)) {
          const readyAt = next ? new Date(next.createdAt.getTime() + jwksCacheSeconds * 1000) : null;
          throw new AuthError('signing_key_not_ready', {
            detail: readyAt
              ? `the next ${alg} key is published until ${readyAt.toISOString()} before it may sign`
              : `no next ${alg} key is published yet`,
          });
        } else if (!(await promote(active, next, 'manual', context))) {
          throw new AuthError('conflict', { detail: 'another rotation won' });
        }
        const now2 = clock.now();
        return (await load(true)).map((k) => info(k, now2));
      },
      async revoke(kid: string, context: CallContext): Promise<SigningKeyInfo> {
        const keys = await load(true);
        const key = keys.find((k) => k.id === kid);
        if (!key) throw new AuthError('not_found', { detail: 'no such signing key' });
        if (key.state === 'revoked') return info(key);
        const replacement = await generateSigningKeyMaterial(key.algorithm, rsaModulusLength);
        const next = keys.find((k) => k.algorithm === key.algorithm && k.state === 'next');
        const now = clock.now();
        const done = await change(async (tx) => {
          if (!(await tx.signingKeys.transition(key.id, key.state, 'revoked', now))) throw lostRace();
          // an active key is replaced at once, by the published next key: tokens signed with the
          // revoked one fail anyway, and new ones must be issued
          if (key.state === 'active' && next) {
            await tx.signingKeys.transition(next.id, 'next', 'active', now);
            await tx.signingKeys.create(toRow(replacement, 'next', now));
          } else if (key.state === 'active') {
            await tx.signingKeys.create(toRow(replacement, 'active', now));
          } else if (key.state === 'next') {
            await tx.signingKeys.create(toRow(replacement, 'next', now));
          }
          await recordChange(tx, clock, context, {
            tenantId,
            action: 'signing_key.revoked',
            target: { type: 'signing_key', id: key.id },
            data: { algorithm: key.algorithm, previousState: key.state, issuer },
          });
        });
        if (!done) throw new AuthError('conflict', { detail: 'the key changed meanwhile' });
        signers.delete(key.id);
        const revoked = (await load(true)).find((k) => k.id === kid);
        return info(revoked ?? key);
      },
      async rewrap(context: CallContext): Promise<{ rewrapped: number }> {
        const current = wrapper.currentVersion;
        let rewrapped = 0;
        for (const key of await load(true)) {
          if (key.keyEncryptionKeyVersion === current) continue;
          const pem = wrapper.unwrap(key.wrappedPrivateKey, key.keyEncryptionKeyVersion);
          const { wrapped, version } = wrapper.wrap(pem);
          if (await storage.signingKeys.rewrap(key.id, key.wrappedPrivateKey, wrapped, version)) rewrapped++;
        }
        await storage.transaction((tx) =>
          recordChange(tx, clock, context, {
            tenantId,
            action: 'signing_keys.rewrapped',
            data: { rewrapped, keyEncryptionKeyVersion: current, issuer },
          }),
        );
        cached = null;
        return { rewrapped };
      },
    };
  }

  type IssuerKeys = ReturnType<typeof createIssuerKeys>;
  const storedKeys = new Map<string, IssuerKeys>();
  const processRings = new Map<string, SigningKeyRing>();
  function storedKeysOf(scope: IssuerScope): IssuerKeys {
    let keys = storedKeys.get(scope.issuer);
    if (!keys) {
      keys = createIssuerKeys(scope);
      storedKeys.set(scope.issuer, keys);
    }
    return keys;
  }

  function keyRingOf(scope: IssuerScope): SigningKeyRing {
    if (external) return external;
    if (inProcess) {
      let ring = processRings.get(scope.issuer);
      if (!ring) {
        ring = warnOnFirstSignature(createProcessKeyRing({ algorithms, rsaModulusLength }), logger);
        processRings.set(scope.issuer, ring);
      }
      return ring;
    }
    return storedKeysOf(scope).ring;
  }

  /** Key administration needs the stored keys; changing them (new keys) needs a key-encryption key. */
  function requireStoredKeys(changing = true): void {
    if (external || (changing && inProcess)) {
      throw new AuthError('invalid_request', {
        detail: external
          ? 'signing keys are held by the configured signers (KMS): rotate them there'
          : 'set tokens.signingKeys.keyEncryptionKeys to store and rotate signing keys',
      });
    }
  }

  /** The issuer an operation names: the install's, or the tenant's own (`not_found` if it has none). */
  async function scopeOf(issuerOptions: SigningKeyIssuerOptions | undefined): Promise<IssuerScope> {
    if (issuerOptions?.tenantId === undefined) return issuers.install;
    const scope = await issuers.tenantScope(issuerOptions.tenantId);
    if (!scope) throw new AuthError('not_found', { detail: 'this tenant has no issuer of its own' });
    return scope;
  }

  const api: SigningKeysApi = {
    async getJwks(issuerOptions) {
      return { keys: await keyRingOf(await scopeOf(issuerOptions)).publishedKeys() };
    },
    async listSigningKeys(issuerOptions) {
      requireStoredKeys(false);
      return storedKeysOf(await scopeOf(issuerOptions)).list();
    },
    async rotateSigningKeys(rotateOptions = {}, context = {}) {
      requireStoredKeys();
      const alg = rotateOptions.algorithm ?? algorithms[0] ?? 'EdDSA';
      if (!algorithms.includes(alg)) {
        throw new AuthError('invalid_request', { detail: `algorithm ${alg} is not configured` });
      }
      return storedKeysOf(await scopeOf(rotateOptions)).rotate(alg, context);
    },
    async revokeSigningKey(kid, issuerOptions, context = {}) {
      requireStoredKeys();
      return storedKeysOf(await scopeOf(issuerOptions)).revoke(kid, context);
    },
    async rewrapSigningKeys(issuerOptions, context = {}) {
      requireStoredKeys();
      return storedKeysOf(await scopeOf(issuerOptions)).rewrap(context);
    },
  };

  return {
    keyRing: keyRingOf(issuers.install),
    keyRingOf,
    api,
    async assertCanSign() {
      const alg = algorithms[0] ?? 'EdDSA';
      // keys made in this process's memory are always at hand; the others are read (or made)
      if (external) await external.signer(alg);
      else if (!inProcess) await storedKeysOf(issuers.install).ring.signer(alg);
    },
    async stop() {
      stopping = true;
      // publishNextKey logs its own failures: what settles here never rejects
      while (background.size > 0) await Promise.all(background);
    },
  };
}

function lostRace(): AuthError {
  return new AuthError('conflict', { detail: 'signing keys changed meanwhile' });
}

/** Said once, when the first token is signed: an install that issues none is not told. */
function warnOnFirstSignature(ring: SigningKeyRing, logger: EventLogger): SigningKeyRing {
  let warned = false;
  return {
    ...ring,
    signer(alg) {
      if (!warned) {
        warned = true;
        logger.warn('portcullis.signing_key.unencrypted_keys');
      }
      return ring.signer(alg);
    },
  };
}
