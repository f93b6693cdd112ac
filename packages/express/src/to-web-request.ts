import type { IncomingMessage } from 'node:http';
import { MAX_BODY_BYTES } from '@portcullis/core';
import type { Request as ExpressRequest } from 'express';

/** Hop-by-hop and framing headers describe the Node message, not the Web `Request` built from it. */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);

/**
 * Builds a Web `Request` from an Express request, for `auth.handler` or any Web-standard handler.
 *
 * - URL: `origin` (normally `auth.config.baseURL`; only its origin is used) + `req.originalUrl`,
 *   so the Host header a client sent never decides which origin Portcullis sees.
 * - Headers: all of them; repeated `Cookie` headers arrive joined with `; ` as Node merges them.
 * - Body: when a body parser already consumed the stream, `req.body` is re-serialized (JSON for
 *   objects, as is for strings and Buffers). Otherwise the raw body is read, but never more than
 *   one byte past core's limit, so an oversized body still gets core's 413 problem.
 *
 * @example
 * app.post('/auth/login', async (req, res) => {
 *   const response = await auth.handler(await toWebRequest(req, auth.config.baseURL))
 *   await sendWebResponse(res, response)
 * })
 */
export async function toWebRequest(req: ExpressRequest, origin: string | URL): Promise<Request> {
  const base = new URL(origin).origin;
  const url = new URL(base + requestPath(req.originalUrl ?? req.url));
  const headers = toWebHeaders(req);
  const method = req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });

  const body = bodyConsumed(req) ? reserializedBody(req, headers) : await readRawBody(req);
  return new Request(url, {
    method,
    headers,
    body: body && body.byteLength > 0 ? body : null,
    // required by Node's fetch for a request with a body
    duplex: 'half',
  } as RequestInit);
}

/** The request's headers as Web `Headers` (`auth.api.getSession(headers)` takes them). */
export function toWebHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || DROPPED_HEADERS.has(name)) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

/** `req.originalUrl` is a path, except for absolute-form targets (`GET http://host/x`). */
function requestPath(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    const parsed = new URL(target);
    return parsed.pathname + parsed.search;
  } catch {
    return `/${target}`;
  }
}

/**
 * Express 4's body-parser flags `req._body`; Express 5's checks that the message was fully read.
 * A parser that skipped the request (other content type) leaves the stream readable.
 */
function bodyConsumed(req: IncomingMessage & { _body?: boolean }): boolean {
  return req._body === true || req.readableEnded || (req.complete && !req.readable);
}

function reserializedBody(req: ExpressRequest, headers: Headers): Uint8Array | null {
  const parsed: unknown = req.body;
  // the parser decoded and decompressed the bytes: the old length and encoding no longer apply
  headers.delete('content-length');
  headers.delete('content-encoding');
  if (parsed === undefined || parsed === null) return null;
  if (Buffer.isBuffer(parsed)) return parsed;
  if (typeof parsed === 'string') return Buffer.from(parsed, 'utf8');
  return Buffer.from(JSON.stringify(parsed), 'utf8');
}

/**
 * Collects the body up to `MAX_BODY_BYTES + 1` bytes: enough for core to see that it is too large,
 * without buffering an attacker's gigabytes. Past that the rest is drained, not buffered: destroying
 * the stream would reset the connection before the client reads the 413.
 */
function readRawBody(req: IncomingMessage): Promise<Uint8Array | null> {
  const limit = MAX_BODY_BYTES + 1;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      resolve(size === 0 ? null : Buffer.concat(chunks, size).subarray(0, limit));
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      size += buffer.byteLength;
      if (size >= limit) {
        done();
        req.resume();
      }
    };
    const onEnd = () => done();
    const onError = (error: Error) => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      reject(error);
    };
    const onClose = () => {
      if (!req.readableEnded)
        onError(new Error('the client closed the connection before sending the whole body'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
