import { describe, expect, it } from 'vitest';
import { passwordOptionsSchema } from './password-options.js';

describe('password options', () => {
  it('refuses a minimum length below 8 (NIST 800-63B-4 floor) and accepts 8', () => {
    for (const minLength of [0, 1, 4, 6, 7]) {
      const parsed = passwordOptionsSchema.safeParse({ minLength });
      expect(parsed.success, `minLength ${minLength}`).toBe(false);
    }
    expect(passwordOptionsSchema.parse({ minLength: 8 }).minLength).toBe(8);
    expect(passwordOptionsSchema.parse({}).minLength).toBe(15);
  });
});
