import { describe, expect, it } from 'vitest';
import { createSealedBox } from './sealed-box.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

describe('sealed box', () => {
  it('opens what it sealed, and the sealed form does not contain the plaintext', () => {
    const box = createSealedBox(SECRET, 'outbox-mail');
    const link = 'https://app.example.com/accept-invitation?token=abc123_-XYZ';
    const sealed = box.seal(link);
    expect(sealed).not.toContain('abc123');
    expect(box.open(sealed)).toBe(link);
    expect(box.seal(link)).not.toBe(sealed); // a fresh nonce each time
  });

  it('refuses a value sealed for another purpose or secret, or altered', () => {
    const sealed = createSealedBox(SECRET, 'outbox-mail').seal('secret');
    expect(() => createSealedBox(SECRET, 'other').open(sealed)).toThrow();
    expect(() => createSealedBox(`${SECRET}!`, 'outbox-mail').open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[2] = Buffer.from('tampered').toString('base64url');
    expect(() => createSealedBox(SECRET, 'outbox-mail').open(parts.join('.'))).toThrow();
    expect(() => createSealedBox(SECRET, 'outbox-mail').open('garbage')).toThrow();
  });
});
