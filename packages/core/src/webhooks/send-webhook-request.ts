import { request } from 'undici';
import type { WebhookTarget } from './check-webhook-url.js';
import { createPinnedDispatcher, type PinnedDispatcherOptions } from './pinned-dispatcher.js';

/** Default for the whole exchange (resolution, connection, request and response body): 15 s. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;
/** Default cap on the response body kept: 4 KiB, enough for an error message, not for abuse. */
export const DEFAULT_WEBHOOK_MAX_RESPONSE_BYTES = 4096;

export interface SendWebhookRequestOptions extends PinnedDispatcherOptions {
  /** The exact bytes to send (what the signature covers). */
  readonly body: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default {@link DEFAULT_WEBHOOK_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Response bytes kept; the rest is not read. Default {@link DEFAULT_WEBHOOK_MAX_RESPONSE_BYTES}. */
  readonly maxResponseBytes?: number;
}

/** What the endpoint answered. A redirect is an answer like any other: its status, never followed. */
export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The first `maxResponseBytes` bytes of the body, decoded as UTF-8. */
  readonly body: string;
  /** The body was longer than the cap and was cut. */
  readonly truncated: boolean;
  /** The address the request went to (resolved once, checked, pinned). */
  readonly address: string;
}

/**
 * POSTs one webhook message to a checked target over a pinned connection (see
 * `createPinnedDispatcher`): one resolution, every address judged, no redirects followed, one
 * deadline for the whole exchange, the response body read up to a cap and the rest dropped.
 *
 * @throws AuthError `webhook_url_forbidden` when the host resolves to a forbidden address;
 *   network errors, and an `AbortError`/`TimeoutError` at the deadline, propagate as they are.
 * @example
 * const target = checkWebhookUrl(endpoint.url, { environment: endpoint.environment });
 * const response = await sendWebhookRequest(target, { body, headers: signatureHeaders });
 */
export async function sendWebhookRequest(
  target: WebhookTarget,
  options: SendWebhookRequestOptions,
): Promise<WebhookResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS);
  const { dispatcher, address } = await abortable(createPinnedDispatcher(target, options), signal);
  try {
    const response = await request(target.url, {
      method: 'POST',
      dispatcher,
      signal,
      body: options.body,
      headers: { 'content-type': 'application/json', ...options.headers },
    });
    const cap = options.maxResponseBytes ?? DEFAULT_WEBHOOK_MAX_RESPONSE_BYTES;
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      const room = cap - kept;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      kept += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        break;
      }
    }
    // leaving the loop early destroys the stream: the rest is never read
    return {
      status: response.statusCode,
      headers: flattenHeaders(response.headers),
      body: Buffer.concat(chunks).toString('utf8'),
      truncated,
      address,
    };
  } finally {
    await dispatcher.destroy();
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Races a promise (a resolution, which has no signal of its own) against the deadline. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
