import { AuthError } from '../errors.js';
import { readRawBody } from './raw-body.js';

/** Largest form an OAuth endpoint accepts: its parameters are a few short strings and a JWT. */
export const MAX_FORM_BYTES = 64 * 1024;

/**
 * Reads an `application/x-www-form-urlencoded` body (the OAuth endpoints', RFC 6749 §3.2) into
 * its parameters. Every failure is `invalid_request`, never a 500: another media type, more than
 * {@link MAX_FORM_BYTES}, bytes that are not UTF-8, or a parameter sent twice (RFC 6749 §3.1 and
 * §3.2: parameters must not repeat) unless it is one of `repeatable`.
 */
export async function readFormBody(
  request: Request,
  repeatable: readonly string[] = [],
): Promise<Map<string, string[]>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new AuthError('invalid_request', {
      detail: 'send Content-Type: application/x-www-form-urlencoded',
    });
  }
  const bytes = await readRawBody(
    request,
    MAX_FORM_BYTES,
    () => new AuthError('invalid_request', { detail: 'the body is too large' }),
  );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AuthError('invalid_request', { detail: 'the body is not valid UTF-8' });
  }
  // a lone `%` or a percent-encoded invalid UTF-8 sequence: URLSearchParams would pass it as
  // U+FFFD and a secret would compare unequal for the wrong reason; refuse it as malformed
  for (const part of text.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new AuthError('invalid_request', { detail: 'the body is not well-formed form data' });
    }
  }
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const values = params.get(name);
    if (values === undefined) params.set(name, [value]);
    else if (repeatable.includes(name)) values.push(value);
    else throw new AuthError('invalid_request', { detail: `${name} is repeated` });
  }
  return params;
}
