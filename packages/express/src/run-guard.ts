import { isAuthError } from '@portcullis/core';
import type { NextFunction, Response } from 'express';
import { sendProblem } from './problem-response.js';

/**
 * Runs a guard's check: `next()` when it returns true, nothing when it returned false (it has
 * answered), core's problem+json for an `AuthError` it threw, and `next(error)` for anything else.
 * Answering AuthErrors here means guards work without `authErrorHandler()` registered.
 */
export function runGuard(res: Response, next: NextFunction, check: () => Promise<boolean>): void {
  check().then(
    (passed) => {
      if (passed) next();
    },
    (error: unknown) => {
      if (isAuthError(error) && !res.headersSent) sendProblem(res, error);
      else next(error);
    },
  );
}
