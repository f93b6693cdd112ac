import { isPortcullisClientError } from '@portcullis/client';

/**
 * The words for an error: the server's `detail` when it gave one (it names the problem: "the
 * password is too short"), else a sentence per common code, else a generic one with the request
 * id to quote.
 */
export function errorText(error: unknown): string {
  if (!isPortcullisClientError(error)) return 'Something went wrong. Please try again.';
  const known = MESSAGES[error.code];
  // a lockout (429 with Retry-After, like a rate limit) is a wait too, not a wrong password
  if ((error.code === 'rate_limited' || error.code === 'account_locked') && error.retryAfter !== undefined) {
    return `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`;
  }
  if (error.detail && !HIDE_DETAIL.has(error.code)) return capitalize(error.detail);
  if (known) return known;
  return error.requestId ? `Something went wrong (request ${error.requestId}).` : 'Something went wrong.';
}

/** The complaint about one field of an `invalid_request`, when the server named that field. */
export function fieldErrorText(error: unknown, field: string): string | undefined {
  if (!isPortcullisClientError(error) || !error.issues) return undefined;
  const issue = error.issues.find(
    (candidate) => candidate.path === field || candidate.path.startsWith(`${field}.`),
  );
  return issue ? capitalize(issue.message) : undefined;
}

const MESSAGES: Partial<Record<string, string>> = {
  invalid_credentials: 'The email or password is not right.',
  network_error: 'The server could not be reached. Check your connection and try again.',
  unauthenticated: 'Your session has ended. Please sign in again.',
  session_expired: 'Your session has ended. Please sign in again.',
  forbidden: 'You do not have permission to do that.',
  step_up_required: 'Please confirm it is you (sign in again) to continue.',
  email_taken: 'An account with this email already exists.',
  slug_taken: 'That address is taken. Choose another.',
  last_owner: 'An organization needs at least one owner.',
  rate_limited: 'Too many attempts. Please wait a moment.',
  csrf_origin_mismatch: 'This page is not allowed to make that request.',
};

// these codes' details are for developers, not for the person at the keyboard
const HIDE_DETAIL = new Set([
  'invalid_credentials',
  'csrf_origin_mismatch',
  'internal_error',
  'step_up_required',
]);

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** Props of {@link ErrorMessage}. */
export interface ErrorMessageProps {
  error: unknown;
  /** Id for `aria-describedby` on the control the error belongs to. */
  id?: string;
  className?: string;
}

/** An error beside the control that caused it, announced to screen readers. */
export function ErrorMessage({ error, id, className }: ErrorMessageProps) {
  if (error === undefined || error === null) return null;
  return (
    <p role="alert" id={id} className={className ?? 'pc-error'}>
      {errorText(error)}
    </p>
  );
}
