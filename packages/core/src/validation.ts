import type { z } from 'zod';
import { AuthError, type AuthErrorCode } from './errors.js';

/**
 * Parses with a zod schema; failures become an `AuthError` with field-level issues, coded
 * `invalid_request` unless the caller names a more specific code (e.g. `invalid_policy`).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: AuthErrorCode = 'invalid_request',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message:
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  throw new AuthError(code, {
    detail: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  });
}
