import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAuthError } from './errors.js';
import { cleanHeaderText, hasForbiddenCharacter, parseInput, singleLineTextSchema } from './validation.js';

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isAuthError(error)) return { code: error.code, issues: error.issues };
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('input text', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['another C0 control', 'a\u001bb'],
    ['DEL', 'a\u007f'],
    ['a C1 control', 'a\u0085'],
    ['a lone high surrogate', 'a\ud800'],
    ['a lone low surrogate', '\udc00a'],
    ['two high surrogates', '\ud800\ud800'],
  ])('finds %s', (_, text) => {
    expect(hasForbiddenCharacter(text)).toBe(true);
  });

  it.each([
    ['tab, line feed and carriage return', 'a\tb\r\nc'],
    ['a surrogate pair', 'fox 🦊'],
    ['letters that change when lower-cased', 'İSTANBUL ß'],
    ['the empty string', ''],
  ])('lets %s through', (_, text) => {
    expect(hasForbiddenCharacter(text)).toBe(false);
  });

  it('refuses a forbidden character anywhere in the input, keys included, naming its path and the code asked for', () => {
    const schema = z.object({ a: z.object({ b: z.array(z.string()) }), m: z.record(z.string(), z.string()) });
    expect(issuesOf(() => parseInput(schema, { a: { b: ['ok', 'x\u0000'] }, m: { ok: 'y' } }))).toEqual({
      code: 'invalid_request',
      issues: [{ path: 'a.b.1', message: 'contains a control character or an unpaired surrogate' }],
    });
    expect(
      issuesOf(() => parseInput(schema, { a: { b: [] }, m: { 'k\u0000': 'v' } }, 'invalid_policy')),
    ).toEqual({
      code: 'invalid_policy',
      issues: [{ path: 'm.k', message: 'a key contains a control character or an unpaired surrogate' }],
    });
  });

  it('walks a deeply nested input without overflowing the stack', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(50_000)}"\\u0000"${'}'.repeat(50_000)}`);
    const { code, issues } = issuesOf(() => parseInput(z.unknown(), deep));
    expect(code).toBe('invalid_request');
    expect(issues?.[0]?.path).toBe(`${'a.'.repeat(16)}…`);
  });

  it('keeps a single-line field to one line', () => {
    const name = singleLineTextSchema(1, 10);
    expect(name.parse('  Acme  ')).toBe('Acme');
    expect(name.safeParse('Acme\r\nBcc: x').success).toBe(false);
    expect(name.safeParse('a\tb').success).toBe(false);
    expect(name.safeParse('a\u2028b').success).toBe(false);
  });

  it('cleans a header value instead of refusing it, and cuts it on a code point', () => {
    expect(cleanHeaderText('Mozilla\u0001/5.0\u0085 (X11)\r\n', 100)).toBe('Mozilla /5.0 (X11)');
    expect(cleanHeaderText(null, 10)).toBeNull();
    expect(cleanHeaderText('🦊🦊🦊', 2)).toBe('🦊🦊');
    expect(cleanHeaderText('a\ud800b', 10)).toBe('a b');
  });
});
