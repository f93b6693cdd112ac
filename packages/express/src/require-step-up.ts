import type { Auth, StepUpRequirement } from '@portcullis/core';
import type { RequestHandler } from 'express';
import { ensureAuthenticated } from './require-auth.js';
import { runGuard } from './run-guard.js';

/**
 * Middleware that lets a request through only when the signed-in user authenticated recently
 * enough, by `auth.api.checkStepUp`: within `maxAgeSeconds`, by one of `methods` when given
 * (RFC 8176 `amr` values such as `pwd`, `otp`, `hwk`). Otherwise 401 problem+json
 * `step_up_required` (with `maxAgeSeconds`, and `methods`, in the body) and the RFC 9470 challenge
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication", error_description="…", max_age=<n>`;
 * the client calls `POST /auth/reauthenticate` and retries. Without a session: 401
 * `unauthenticated`, as `requireAuth`.
 *
 * @example
 * app.post(
 *   '/api/account/delete',
 *   requireStepUp(auth, { maxAgeSeconds: 300 }),
 *   async (req, res) => {
 *     await deleteAccount(req.auth!.user.id)
 *     res.status(204).end()
 *   },
 * )
 */
export function requireStepUp(auth: Auth, requirement: StepUpRequirement): RequestHandler {
  return function portcullisRequireStepUp(req, res, next) {
    runGuard(res, next, async () => {
      const current = await ensureAuthenticated(auth, req, res);
      if (!current) return false;
      auth.api.checkStepUp(current.session, requirement);
      return true;
    });
  };
}
