import { AuthError } from '../errors.js';

/**
 * The scopes an OAuth `scope` parameter asks for (RFC 6749 §3.3: space-delimited; order and
 * repeats carry no meaning): undefined when the parameter is absent, `invalid_scope` when it is
 * present but names none.
 *
 * @example
 * parseScopeParameter('b a  b') // ['b', 'a']
 */
export function parseScopeParameter(scope: string | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  const asked = [...new Set(scope.split(' ').filter((s) => s.length > 0))];
  if (asked.length === 0) throw new AuthError('invalid_scope', { detail: 'scope is empty' });
  return asked;
}
