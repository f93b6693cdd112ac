import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_CHECKSUM_LENGTH,
  API_KEY_RANDOM_LENGTH,
  apiKeyChecksum,
  apiKeyDisplayParts,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  resolvePeppers,
} from './api-key-format.js';

const UUID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('API key format', () => {
  it('makes pc_<env>_<33 base62><6 base62 checksum> keys that parse back, with at least 192 random bits', () => {
    const key = generateApiKey('pc', 'live');
    expect(key).toMatch(
      new RegExp(`^pc_live_[0-9A-Za-z]{${API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH}}$`),
    );
    expect(API_KEY_RANDOM_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(192);
    expect(parseApiKey(key, 'pc')).toEqual({ prefix: 'pc', environment: 'live' });
    expect(apiKeyDisplayParts(key, { prefix: 'pc', environment: 'live' })).toEqual({
      start: key.slice(0, 12),
      lastFour: key.slice(-4),
    });
  });

  it('refuses a key of another prefix, and the checksum covers the prefix and environment', () => {
    const key = generateApiKey('acme', 'test');
    expect(parseApiKey(key, 'pc')).toBeNull();
    expect(parseApiKey(key, 'acme')).toEqual({ prefix: 'acme', environment: 'test' });
    // test → live, with the rest (checksum included) untouched
    expect(parseApiKey(key.replace('_test_', '_live_'), 'acme')).toBeNull();
  });

  it('rejects every single-character edit of a key by its checksum (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('live', 'test'),
        fc.nat(),
        fc.constantFrom(...BASE62),
        (environment, position, replacement) => {
          const key = generateApiKey('pc', environment);
          const at = position % key.length;
          fc.pre(key[at] !== replacement && key[at] !== '_');
          const edited = key.slice(0, at) + replacement + key.slice(at + 1);
          expect(parseApiKey(edited, 'pc')).toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects swapped neighbours, dropped and added characters (property)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...BASE62), (position, extra) => {
        const key = generateApiKey('pc', 'live');
        const at = 8 + (position % (key.length - 9));
        const swapped = key.slice(0, at) + key[at + 1] + key[at] + key.slice(at + 2);
        if (swapped !== key) expect(parseApiKey(swapped, 'pc')).toBeNull();
        expect(parseApiKey(key.slice(0, at) + key.slice(at + 1), 'pc')).toBeNull();
        expect(parseApiKey(key.slice(0, at) + extra + key.slice(at), 'pc')).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it('never makes a key that contains a UUID (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('live', 'test', 'staging'), (environment) => {
        const key = generateApiKey('pc', environment);
        expect(key).not.toMatch(UUID);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses anything that is not a key, without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const parsed = parseApiKey(text, 'pc');
        if (parsed) expect(apiKeyChecksum(text.slice(0, -API_KEY_CHECKSUM_LENGTH))).toBe(text.slice(-6));
      }),
    );
    expect(parseApiKey(`${generateApiKey('pc', 'live')}x`.repeat(20), 'pc')).toBeNull();
  });

  it('hashes with the pepper: another pepper, another hash; without one, a pepper derived from the secret', () => {
    const key = generateApiKey('pc', 'live');
    const [derived] = resolvePeppers([], 'an app secret of at least thirty-two characters');
    expect(derived?.version).toBe(0);
    const v1 = { version: 1, secret: 'a'.repeat(32) };
    const v2 = { version: 2, secret: 'b'.repeat(32) };
    expect(resolvePeppers([v1, v2], 'unused').map((p) => p.version)).toEqual([2, 1]);
    expect(hashApiKey(key, v1)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key, v1)).not.toBe(hashApiKey(key, v2));
    expect(hashApiKey(key, v1)).not.toContain(key.slice(8, 20));
  });
});
