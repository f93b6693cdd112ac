import { describe, expect, it } from 'vitest';
import { emailSchema } from './email-schema.js';

describe('emailSchema', () => {
  it('normalizes (NFKC, trimmed) before checking', () => {
    expect(emailSchema.parse('  Ada＠Example.com ')).toBe('Ada@Example.com');
  });

  // Regression (issue 14): 200 × `İ` is 200 characters, within the limit, but 400 once
  // lower-cased, the form lookups store: over the column on PostgreSQL, a 500.
  it('counts the length on the lower-cased form, which some letters lengthen', () => {
    expect(emailSchema.safeParse(`${'İ'.repeat(200)}@example.com`).success).toBe(false);
    expect(emailSchema.safeParse(`${'I'.repeat(200)}@example.com`).success).toBe(true);
  });

  it('counts the length after NFKC, which some characters lengthen', () => {
    // U+FDFA is one character that NFKC turns into 18
    expect(emailSchema.safeParse(`${'ﷺ'.repeat(20)}@example.com`).success).toBe(false);
  });

  it('refuses control characters, NUL first', () => {
    expect(emailSchema.safeParse('a\u0000b@example.com').success).toBe(false);
    expect(emailSchema.safeParse('a\u0085b@example.com').success).toBe(false);
  });
});
