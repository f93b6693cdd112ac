import type { ServerResponse } from 'node:http';
import { type AuthError, problemBody, problemHeaders, uuidv7 } from '@portcullis/core';

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
  // Retry-After, and for step_up_required the RFC 9470 WWW-Authenticate challenge
  for (const [name, value] of problemHeaders(error)) res.setHeader(name, value);
  res.end(JSON.stringify(body));
}
