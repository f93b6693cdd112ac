import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, generateToken, sha256Hex } from './random.js';
import { uuidv7 } from './uuid.js';

describe('crypto primitives', () => {
  it('generates 256-bit url-safe tokens', () => {
    const token = generateToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
  });

  it('rejects a token size that is not a whole, non-negative number of bytes', () => {
    for (const size of [-1, 1.5, Number.NaN]) expect(() => generateToken(size)).toThrow(RangeError);
    expect(generateToken(0)).toBe('');
  });

  it('hashes with SHA-256 (FIPS 180-2 vector)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes a string as its UTF-8 bytes, as the stored hashes were made', () => {
    // stored token hashes were written with createHash(...).update(value, 'utf8'): the one-shot
    // hash must agree byte for byte, non-ASCII included
    for (const value of ['', 'pc_rt_x', 'é€😀', generateToken()]) {
      expect(sha256Hex(value)).toBe(createHash('sha256').update(value, 'utf8').digest('hex'));
    }
  });

  it('compares in constant time, whatever the lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('makes RFC 9562 version-7 UUIDs that sort in creation order', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // the 62 random bits differ between ids of the same millisecond
    const randomParts = ids.map((id) => id.slice(20));
    expect(new Set(randomParts).size).toBe(ids.length);
    const stamped = uuidv7(Date.UTC(2030, 0, 1));
    expect(stamped.slice(0, 13)).toBe(
      `${Date.UTC(2030, 0, 1).toString(16).padStart(12, '0').slice(0, 8)}-${Date.UTC(2030, 0, 1).toString(16).padStart(12, '0').slice(8)}`,
    );
    expect(Number.parseInt(stamped.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(
      Date.UTC(2030, 0, 1),
    );
  });
});
