import { AuthError } from '../errors.js';

/**
 * Reads a body as the exact bytes sent (every route's body is read through it: JSON, forms, and
 * the raw bytes a signature is checked over). More than `maxBytes` throws `tooLarge()` (default
 * `payload_too_large`), whether `Content-Length` said so or the stream ran over (a lying or
 * absent length reads no further than the limit).
 */
export async function readRawBody(
  request: Request,
  maxBytes: number,
  tooLarge: () => AuthError = () =>
    new AuthError('payload_too_large', { detail: `limit is ${maxBytes} bytes` }),
): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
