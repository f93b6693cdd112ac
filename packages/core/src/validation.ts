import type { z } from 'zod';
import { AuthError } from './errors.js';

/** Parses with a zod schema; failures become `invalid_request` with field-level issues. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message:
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  throw new AuthError('invalid_request', {
    detail: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  });
}
