import { AuthError } from '../errors.js';
import type { AuthorizationResult } from './authorization-service.js';
import type { Decision } from './authorizer.js';

/**
 * An authorization result as a guard reads it: the allowing decision, or an error. A user with no
 * membership in the tenant gets `not_found`, as on every tenant route (a tenant id tells an
 * outsider nothing); a denied member gets `forbidden` carrying the decision's reason.
 *
 * @example
 * const decision = requireAllowed(await authorization.authorize(input), input.action)
 */
export function requireAllowed(result: AuthorizationResult, action: string): Decision {
  if (result.reason.kind === 'not_member') throw new AuthError('not_found', { detail: 'no such tenant' });
  const decision = result as Decision;
  if (!decision.allowed) {
    throw new AuthError('forbidden', { detail: `not allowed: ${action}`, reason: decision.reason });
  }
  return decision;
}
