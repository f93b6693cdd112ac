import { headerValue, type RequestHeaders } from '../request-headers.js';

/** Longer than any key: a longer header value is not one. */
const MAX_PRESENTED_LENGTH = 128;

/**
 * The API key a request presents, or null: the `x-api-key` header, else an
 * `Authorization: Bearer` value that is not a JWT (an access token has dots; a key never does).
 * Nothing is checked yet: `auth.api.verifyApiKey` does that.
 *
 * @example
 * const key = readApiKey(request.headers)
 * if (key) await auth.api.verifyApiKey(key, { environment: 'live' })
 */
export function readApiKey(headers: RequestHeaders): string | null {
  const direct = headerValue(headers, 'x-api-key')?.trim();
  if (direct)
    return direct.length <= MAX_PRESENTED_LENGTH ? direct : direct.slice(0, MAX_PRESENTED_LENGTH + 1);
  const authorization = headerValue(headers, 'authorization');
  const match = authorization ? /^Bearer[ ]+([^\s.]+)[ ]*$/i.exec(authorization) : null;
  const bearer = match?.[1];
  if (!bearer || !/^[A-Za-z0-9_]+$/.test(bearer) || !bearer.includes('_')) return null;
  return bearer.length <= MAX_PRESENTED_LENGTH ? bearer : null;
}
