/**
 * A public key GitHub signs its secret scanning alerts with: its identifier (what the
 * `Github-Public-Key-Identifier` header names) and the key, PEM-encoded (ECDSA P-256), as GitHub
 * publishes them at `https://api.github.com/meta/public_keys/secret_scanning`.
 */
export interface GitHubPublicKey {
  keyIdentifier: string;
  key: string;
}

/** What is done with a key a secret scanner found in public: revoke it, or flag it and let it work. */
export type LeakAction = 'revoke' | 'flag';

/**
 * One alert as GitHub posts it, the request's raw body and its two signature headers. The
 * signature covers the exact bytes of the body: hand them over untouched (not re-serialized JSON).
 */
export interface GitHubLeakReport {
  /** The request body as received (bytes, or the same bytes decoded as UTF-8). */
  payload: Uint8Array | string;
  /** The `Github-Public-Key-Identifier` header. */
  keyIdentifier: string | null | undefined;
  /** The `Github-Public-Key-Signature` header: base64 of a DER-encoded ECDSA P-256 SHA-256 signature. */
  signature: string | null | undefined;
}

/**
 * The answer for one reported token, in GitHub's partner format (hence the snake_case): whether
 * it is one of this install's API keys. `token_hash` is the SHA-256 (hex) of the token, so the
 * answer never repeats the token itself.
 */
export interface SecretLeakLabel {
  token_hash: string;
  token_type: string;
  label: 'true_positive' | 'false_positive';
}
