import { describe, expect, it } from 'vitest';
import { parseJsonSource } from '../../src/components/admin/json-source.js';

const CONDITION = `{
  "and": [
    { "eq": [{ "ref": "resource.ownerId" }, { "ref": "subject.id" }] },
    { "not": { "cidr": [{ "ref": "context.ip" }, "10.0.0.0/8"] } },
    { "in": [{ "ref": "subject.department" }, ["sales", "support"]] },
    { "gte": [{ "ref": "context.time" }, -1.5e3] }
  ]
}`;

const acceptedByJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('parseJsonSource', () => {
  it('parses what JSON.parse parses, to the same value', () => {
    for (const text of [
      CONDITION,
      '1',
      ' "x" ',
      'null',
      '[]',
      '{}',
      '{"a":{"b":[true,false,null]}}',
      '"\\u00e9\\n"',
    ]) {
      const parsed = parseJsonSource(text);
      expect(parsed.ok, text).toBe(true);
      if (parsed.ok) expect(parsed.value).toEqual(JSON.parse(text));
    }
  });

  it('locates each value by the dotted path a server issue names', () => {
    const parsed = parseJsonSource(CONDITION);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.locate('')).toEqual({ offset: 0, line: 1, column: 1 });
    expect(parsed.locate('and.1')).toMatchObject({ line: 4, column: 5 });
    expect(parsed.locate('and.1.not.cidr.1')).toMatchObject({ line: 4, column: 50 });
    expect(parsed.locate('and.0.eq.0.ref')).toMatchObject({ line: 3, column: 23 });
    expect(parsed.locate('and.9')).toBeUndefined();
  });

  it.each([
    ['{ "eq": [1, ] }', 'Trailing comma: remove the last ","', 1, 11],
    ['{\n  "a": 1,\n}', 'Trailing comma: remove the last ","', 2, 9],
    ['{ eq: [1, 2] }', 'Expected a property name in double quotes', 1, 3],
    ["{ 'eq': [1, 2] }", 'Property names take double quotes (")', 1, 3],
    ['{ "eq" [1, 2] }', 'Expected ":" after the property name', 1, 8],
    ['{ "eq": [1 2] }', 'Expected "," or "]"', 1, 12],
    ['{ "a": 1 "b": 2 }', 'Expected "," or "}"', 1, 10],
    ['{\n  "a": "open\n}', 'Unterminated string: a line break inside a string', 2, 13],
    ['{ "a": [1, 2', 'Unexpected end of input: "," or "]" was expected', 1, 13],
    ['{ "a": tru }', 'Unexpected "t": expected a value', 1, 8],
    ['{ "a": 01 }', 'Invalid number', 1, 9],
    ['{ "a": "\\x" }', 'Invalid escape \\x', 1, 9],
    ['{} {}', 'Unexpected text after the end of the JSON value', 1, 4],
    ['', 'Unexpected end of input: a value was expected', 1, 1],
  ])('says where %j breaks', (text, message, line, column) => {
    const parsed = parseJsonSource(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect({ message: parsed.message, ...parsed.position }).toMatchObject({ message, line, column });
  });

  it('refuses nesting that would exhaust the stack, with a position', () => {
    const parsed = parseJsonSource('['.repeat(100_000));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toBe('Nested deeper than 256 levels');
  });

  it('agrees with JSON.parse on every one-character deletion, insertion and change of a condition', () => {
    const inserts = ['{', '}', '[', ']', ',', ':', '"', '\\', '-', '0', '.', 'e', 'x', ' ', '\n'];
    const variants = new Set<string>();
    for (let i = 0; i <= CONDITION.length; i++) {
      variants.add(CONDITION.slice(0, i) + CONDITION.slice(i + 1));
      for (const c of inserts) {
        variants.add(CONDITION.slice(0, i) + c + CONDITION.slice(i));
        variants.add(CONDITION.slice(0, i) + c + CONDITION.slice(i + 1));
      }
    }
    let broken = 0;
    for (const text of variants) {
      const parsed = parseJsonSource(text);
      expect(parsed.ok, text).toBe(acceptedByJson(text));
      if (!parsed.ok) {
        broken++;
        expect(parsed.position.offset).toBeGreaterThanOrEqual(0);
        expect(parsed.position.offset).toBeLessThanOrEqual(text.length);
      }
    }
    expect(broken).toBeGreaterThan(1000);
  });
});
