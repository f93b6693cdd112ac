import { describe, expect, it } from 'vitest';
import {
  createSuccessorDeriver,
  generateRefreshToken,
  isWellFormedRefreshToken,
  REFRESH_TOKEN_PREFIX,
} from './refresh-token-format.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

describe('refresh token format', () => {
  it('makes pc_rt_ tokens of 256 random bits with a checksum that verifies', () => {
    const token = generateRefreshToken();
    expect(token).toMatch(/^pc_rt_[A-Za-z0-9_-]{49}$/);
    expect(token.startsWith(REFRESH_TOKEN_PREFIX)).toBe(true);
    expect(isWellFormedRefreshToken(token)).toBe(true);
    expect(generateRefreshToken()).not.toBe(token);
  });

  it('refuses a token with any one character changed, cut short, or of another kind', () => {
    const token = generateRefreshToken();
    for (let i = REFRESH_TOKEN_PREFIX.length; i < token.length; i++) {
      const swapped = token[i] === 'a' ? 'b' : 'a';
      expect(
        isWellFormedRefreshToken(token.slice(0, i) + swapped + token.slice(i + 1)),
        `position ${i}`,
      ).toBe(false);
    }
    expect(isWellFormedRefreshToken(token.slice(0, -1))).toBe(false);
    expect(isWellFormedRefreshToken(`pc_ak_${token.slice(6)}`)).toBe(false);
    expect(isWellFormedRefreshToken('')).toBe(false);
  });

  it('derives the same successor for the same family, parent and generation, and only under the same secret', () => {
    const derive = createSuccessorDeriver(SECRET);
    const successor = derive('family', 'parent', 2);
    expect(isWellFormedRefreshToken(successor)).toBe(true);
    expect(derive('family', 'parent', 2)).toBe(successor);
    expect(derive('family', 'parent', 3)).not.toBe(successor);
    expect(derive('family', 'other', 2)).not.toBe(successor);
    expect(derive('other', 'parent', 2)).not.toBe(successor);
    expect(createSuccessorDeriver(`${SECRET}x`)('family', 'parent', 2)).not.toBe(successor);
  });
});
