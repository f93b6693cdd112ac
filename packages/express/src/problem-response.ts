import type { ServerResponse } from 'node:http';
import * as core from '@portcullis/core';
import { type AuthError, type ProblemBody, STATUS_BY_CODE, uuidv7 } from '@portcullis/core';

/**
 * Core's `problemBody(error, requestId)` from `http/problem.ts`, which its package index does not
 * export yet. Until it does, the same shape is built from the exported status table, with the
 * code standing in for core's title. Delete the fallback once `@portcullis/core` exports it.
 */
const problemBody: (error: AuthError, requestId: string) => ProblemBody =
  (core as { problemBody?: (error: AuthError, requestId: string) => ProblemBody }).problemBody ??
  ((error, requestId) => {
    const status = STATUS_BY_CODE[error.code];
    return {
      type: `https://portcullis.dev/errors/${error.code}`,
      title: error.code,
      status,
      code: error.code,
      ...(error.detail && status < 500 ? { detail: error.detail } : {}),
      requestId,
      ...(error.issues ? { issues: error.issues } : {}),
    };
  });

/**
 * Answers an {@link AuthError} as core's handler would: problem+json with core's body, status and
 * headers. The request id is the one an earlier middleware put on the response, else a new one.
 */
export function sendProblem(res: ServerResponse, error: AuthError): void {
  const current = res.getHeader('x-request-id');
  const requestId = typeof current === 'string' && current !== '' ? current : uuidv7();
  const body = problemBody(error, requestId);
  res.statusCode = body.status;
  res.setHeader('content-type', 'application/problem+json');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-request-id', requestId);
  if (error.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(error.retryAfterSeconds));
  res.end(JSON.stringify(body));
}
