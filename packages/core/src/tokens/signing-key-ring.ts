import { importJWK } from 'jose';
import type { PublicJwk, Signer } from '../ports/signer.js';
import { generateSigningKeyMaterial, localSigner } from './signing-key-material.js';
import type { SigningAlgorithm } from './tokens.js';

/** A public key as `GET /.well-known/jwks.json` lists it. */
export interface PublishedJwk extends PublicJwk {
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

/** A key an access token's signature is checked with, imported once. */
export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: CryptoKey;
}

/**
 * What the access-token service needs of the signing keys: one signer per algorithm, the keys
 * that may verify, and the ones to publish. Backed by the signing-key table
 * (`createStoredKeyRing`) or by the app's own `Signer`s (`createSignerKeyRing`).
 */
export interface SigningKeyRing {
  /** The key that signs now for `alg`; on an empty install its first key is created here. */
  signer(alg: SigningAlgorithm): Promise<Signer>;
  /**
   * The signer the last {@link signer} call settled on, without reading anything (even when the
   * key list is due a reload): what a signature inside a storage transaction uses, since a read
   * outside the transaction's connection could wait for that very connection. Null when nothing
   * was read yet. A ring that reads no storage may leave it out.
   */
  cachedSigner?(alg: SigningAlgorithm): Signer | null;
  /** The key named `kid` if a token signed by it may still verify (published, not revoked); else null. */
  verificationKey(kid: string): Promise<VerificationKey | null>;
  /** The public keys to publish: the next, active and recently retired ones. */
  publishedKeys(): Promise<PublishedJwk[]>;
}

/** `importJWK` once per key: verification then costs no import. */
export function verificationKeyCache() {
  const imported = new Map<string, Promise<CryptoKey>>();
  return (kid: string, alg: SigningAlgorithm, jwk: PublicJwk): Promise<VerificationKey> => {
    let key = imported.get(kid);
    if (!key) {
      key = importJWK({ ...jwk }, alg) as Promise<CryptoKey>;
      imported.set(kid, key);
      key.catch(() => imported.delete(kid));
    }
    return key.then((k) => ({ kid, alg, key: k }));
  };
}

/**
 * A key ring over keys held elsewhere (a KMS behind the `Signer` port): the first signer of each
 * algorithm signs, all are published. Their lifecycle is the KMS's: to rotate, deploy the new
 * signer second (published), then first (signing), then drop the old one after the longest token
 * lifetime.
 */
export function createSignerKeyRing(signers: readonly Signer[]): SigningKeyRing {
  const importKey = verificationKeyCache();
  const byKid = new Map(signers.map((s) => [s.kid, s] as const));
  return {
    async signer(alg) {
      const signer = signers.find((s) => s.alg === alg);
      if (!signer) throw new Error(`no signer for ${alg}`);
      return signer;
    },
    async verificationKey(kid) {
      const signer = byKid.get(kid);
      return signer ? importKey(kid, signer.alg, signer.publicJwk) : null;
    },
    async publishedKeys() {
      return signers.map((s) => ({ ...s.publicJwk, kid: s.kid, alg: s.alg, use: 'sig' as const }));
    },
  };
}

/**
 * A key ring whose keys live only in this process, one per algorithm, made on first use: for
 * tests and a single instance without `tokens.signingKeys.keyEncryptionKeys`. Tokens it signed
 * stop verifying when the process restarts.
 */
export function createProcessKeyRing(options: {
  algorithms: readonly SigningAlgorithm[];
  rsaModulusLength: number;
}): SigningKeyRing {
  const signers = new Map<SigningAlgorithm, Promise<Signer>>();
  const importKey = verificationKeyCache();
  function signerFor(alg: SigningAlgorithm): Promise<Signer> {
    let signer = signers.get(alg);
    if (!signer) {
      signer = generateSigningKeyMaterial(alg, options.rsaModulusLength).then((m) =>
        localSigner(m.kid, m.alg, m.publicJwk, m.privateKeyPem),
      );
      signers.set(alg, signer);
    }
    return signer;
  }
  async function all(): Promise<Signer[]> {
    return Promise.all(options.algorithms.map(signerFor));
  }
  return {
    signer: signerFor,
    async verificationKey(kid) {
      const signer = (await all()).find((s) => s.kid === kid);
      return signer ? importKey(kid, signer.alg, signer.publicJwk) : null;
    },
    async publishedKeys() {
      return (await all()).map((s) => ({ ...s.publicJwk, kid: s.kid, alg: s.alg, use: 'sig' as const }));
    },
  };
}
