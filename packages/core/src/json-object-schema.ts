import { z } from 'zod';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_JSON_DEPTH = 8;
const MAX_JSON_NODES = 2_000;

/**
 * Checks a JSON value iteratively (no recursion, so hostile nesting cannot overflow the stack):
 * depth, size and keys that would touch an object's prototype.
 */
function jsonShapeProblem(value: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (++nodes > MAX_JSON_NODES) return `more than ${MAX_JSON_NODES} values`;
    if (current === null || typeof current !== 'object') {
      if (typeof current === 'string' && current.length > 4_096)
        return 'a string longer than 4096 characters';
      continue;
    }
    if (depth >= MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(current)) {
      if (FORBIDDEN_KEYS.has(key)) return `the key "${key}" is not allowed`;
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * A free-form JSON object of the caller's (tenant metadata, member attributes): checked on the
 * raw input, before zod copies keys (a copied `__proto__` would set the prototype), for depth,
 * size and prototype keys, and optionally for its serialized size in bytes.
 *
 * @example
 * const attributesSchema = jsonObjectSchema('attributes', { maxBytes: 8_192 })
 */
export function jsonObjectSchema(noun: string, options: { maxBytes?: number } = {}) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return;
      }
      const problem = jsonShapeProblem(value);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `${noun}: ${problem}` });
        return;
      }
      if (
        options.maxBytes !== undefined &&
        Buffer.byteLength(JSON.stringify(value), 'utf8') > options.maxBytes
      ) {
        ctx.addIssue({ code: 'custom', message: `${noun} exceed ${options.maxBytes} bytes of JSON` });
      }
    })
    .pipe(z.record(z.string().max(100), z.unknown()));
}
