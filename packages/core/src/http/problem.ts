import { type AuthError, isAuthError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import { STATUS_BY_CODE, TITLE_BY_CODE } from './status-codes.js';

/** RFC 9457 problem details, with Portcullis's stable `code` and the request id. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  requestId: string;
  issues?: ReadonlyArray<{ path: string; message: string }>;
}

export function problemBody(error: AuthError, requestId: string): ProblemBody {
  const status = STATUS_BY_CODE[error.code];
  return {
    type: `https://portcullis.dev/errors/${error.code}`,
    title: TITLE_BY_CODE[error.code],
    status,
    code: error.code,
    ...(error.detail && status < 500 ? { detail: error.detail } : {}),
    requestId,
    ...(error.issues ? { issues: error.issues } : {}),
  };
}

/** Any thrown value as a problem; unexpected errors are logged and answered as a bare 500. */
export function toProblem(error: unknown, requestId: string, logger: Logger): ProblemBody {
  if (isAuthError(error)) {
    if (STATUS_BY_CODE[error.code] >= 500) {
      logger.error('request failed', { requestId, code: error.code, error: describe(error) });
    }
    return problemBody(error, requestId);
  }
  logger.error('unexpected error', { requestId, error: describe(error) });
  return {
    type: 'https://portcullis.dev/errors/internal_error',
    title: TITLE_BY_CODE.internal_error,
    status: 500,
    code: 'internal_error',
    requestId,
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
