import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Encrypts short strings with a key of its own, so they can be stored where clear text may not. */
export interface SealedBox {
  /** AES-256-GCM with a random nonce: `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. */
  seal(plaintext: string): string;
  /** The plaintext of a sealed value; throws when it was not sealed with this key or was altered. */
  open(sealed: string): string;
}

/**
 * A sealed box keyed by HKDF-SHA-256 of the server secret and `purpose`: each purpose gets its own
 * key, so a value sealed for one use cannot be opened as another.
 *
 * @example
 * const box = createSealedBox(config.secret, 'outbox-mail')
 * const sealed = box.seal(link) // store this
 * box.open(sealed) // === link
 */
export function createSealedBox(secret: string, purpose: string): SealedBox {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `portcullis:${purpose}`, 32));
  return {
    seal(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', nonce, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, nonce, ciphertext, tag] = sealed.split('.');
      if (version !== 'v1' || !nonce || ciphertext === undefined || !tag)
        throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}
