import { type Item, parseList } from 'structured-headers';
import { expect } from 'vitest';

/**
 * The item of a `RateLimit-Policy` or `RateLimit` field (draft-ietf-httpapi-ratelimit-headers)
 * for one policy, parsed as a structured-field list: a quoted policy name with its parameters.
 * Checks the partition key is a byte sequence (a truncated keyed hash), and answers the other
 * parameters.
 */
export function rateLimitItem(field: string | null, policy: string): Record<string, unknown> {
  expect(field, `a field naming ${policy}`).not.toBeNull();
  const items = parseList(field!) as Item[];
  const item = items.find(([name]) => name === policy);
  expect(item, `${field} names ${policy}`).toBeDefined();
  const { pk, ...parameters } = Object.fromEntries(item![1]);
  expect(pk).toBeInstanceOf(ArrayBuffer);
  expect((pk as ArrayBuffer).byteLength).toBe(9);
  return parameters;
}
