import { createPrivateKey, generateKeyPair, type KeyObject, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { createSealedBox, type SealedBox } from '../crypto/index.js';
import { AuthError } from '../errors.js';
import type { PublicJwk, Signer } from '../ports/signer.js';
import type { SigningAlgorithm } from './tokens.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A freshly generated key pair: its id, its public JWK and its private key (PKCS#8 PEM). */
export interface SigningKeyMaterial {
  kid: string;
  alg: SigningAlgorithm;
  publicJwk: PublicJwk;
  privateKeyPem: string;
}

/**
 * Generates a key pair for `alg` off the event loop (RSA generation takes a while). The `kid` is
 * the RFC 7638 thumbprint of the public key: unique per key, and derived, so never reused.
 */
export async function generateSigningKeyMaterial(
  alg: SigningAlgorithm,
  rsaModulusLength = 3072,
): Promise<SigningKeyMaterial> {
  const { publicKey, privateKey } =
    alg === 'EdDSA'
      ? await generateKeyPairAsync('ed25519')
      : alg === 'ES256'
        ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
        : await generateKeyPairAsync('rsa', { modulusLength: Math.max(3072, rsaModulusLength) });
  const publicJwk = toPublicJwk(publicKey);
  return {
    kid: await calculateJwkThumbprint(publicJwk as Parameters<typeof calculateJwkThumbprint>[0]),
    alg,
    publicJwk,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Only the public members of a key's JWK, whatever else the export carried. */
export function toPublicJwk(key: KeyObject): PublicJwk {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string | undefined>;
  if (jwk.kty === 'OKP') return { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n, e: jwk.e };
  throw new Error(`unsupported key type ${jwk.kty}`);
}

/** A `Signer` over a private key held in this process (Portcullis's own keys, unwrapped). */
export function localSigner(
  kid: string,
  alg: SigningAlgorithm,
  publicJwk: PublicJwk,
  privateKeyPem: string,
): Signer {
  const key = createPrivateKey(privateKeyPem);
  return {
    kid,
    alg,
    publicJwk,
    async sign(signingInput) {
      if (alg === 'EdDSA') return sign(null, signingInput, key);
      if (alg === 'ES256') return sign('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' });
      return sign('sha256', signingInput, key);
    },
  };
}

/**
 * Envelope encryption of private signing keys under versioned key-encryption keys: the first
 * wraps, all unwrap. Each version's AES-256-GCM key is HKDF-derived from its secret (the sealed
 * box of `crypto/`), with a purpose of its own.
 */
export interface KeyWrapper {
  /** The version `wrap` uses, or null when no key-encryption key is configured. */
  readonly currentVersion: string | null;
  wrap(privateKeyPem: string): { wrapped: string; version: string };
  /** Throws when the version is not configured (any more) or the envelope was altered. */
  unwrap(wrapped: string, version: string): string;
}

export function createKeyWrapper(keys: ReadonlyArray<{ version: string; secret: string }>): KeyWrapper {
  const boxes = new Map<string, SealedBox>(
    keys.map((k) => [k.version, createSealedBox(k.secret, 'signing-key')] as const),
  );
  const current = keys[0]?.version ?? null;
  return {
    currentVersion: current,
    wrap(privateKeyPem) {
      const box = current === null ? undefined : boxes.get(current);
      if (current === null || !box) {
        throw new AuthError('config_invalid', {
          detail: 'tokens.signingKeys.keyEncryptionKeys is required to generate signing keys',
        });
      }
      return { wrapped: box.seal(privateKeyPem), version: current };
    },
    unwrap(wrapped, version) {
      const box = boxes.get(version);
      if (!box) {
        throw new AuthError('config_invalid', {
          detail: `signing key wrapped under key-encryption key "${version}", which is not configured`,
        });
      }
      return box.open(wrapped);
    },
  };
}
