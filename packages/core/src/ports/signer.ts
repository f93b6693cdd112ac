import type { SigningAlgorithm } from '../tokens/tokens.js';

/**
 * A public key as a JSON Web Key (RFC 7517): what `GET /.well-known/jwks.json` publishes. Only
 * public members: `d`, `p`, `q`, `dp`, `dq`, `qi` and `k` never appear here.
 */
export interface PublicJwk {
  kty: 'OKP' | 'EC' | 'RSA';
  /** `Ed25519` (OKP) or `P-256` (EC). */
  crv?: string;
  x?: string;
  y?: string;
  /** RSA modulus and exponent. */
  n?: string;
  e?: string;
}

/**
 * The signing port: a key that signs access tokens, wherever its private half lives (Portcullis's
 * own envelope-encrypted key table, or a KMS/HSM that never lets it out). Portcullis builds the
 * JWS signing input (`base64url(header) + "." + base64url(payload)`) and asks for its signature.
 *
 * Promises: `kid` is unique among the keys of one issuer and never reused for another key;
 * `publicJwk` verifies what `sign` returns under `alg`; `sign` returns the JWS signature bytes
 * (RFC 7518): for `ES256` the 64-byte `r || s` concatenation (a KMS returns DER: convert it), for
 * `EdDSA` the 64-byte Ed25519 signature, for `RS256` RSASSA-PKCS1-v1_5 over SHA-256. It throws
 * when it cannot sign (the token is then not issued; nothing is retried here).
 *
 * @example
 * // A key held by AWS KMS (ECC_NIST_P256), given to `createAuth({ tokens: { signingKeys: { signers: [kmsSigner] } } })`
 * const kmsSigner: Signer = {
 *   kid: 'kms-2026-01',
 *   alg: 'ES256',
 *   publicJwk: { kty: 'EC', crv: 'P-256', x: '…', y: '…' }, // from GetPublicKey, exported once
 *   async sign(signingInput) {
 *     const { Signature } = await kms.send(new SignCommand({
 *       KeyId: keyArn, Message: signingInput, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256',
 *     }))
 *     return derToJoseEcdsa(Signature!, 32) // DER SEQUENCE(r, s) → r || s, 32 bytes each
 *   },
 * }
 */
export interface Signer {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly publicJwk: PublicJwk;
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}
