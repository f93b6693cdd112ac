import type { ServerResponse } from 'node:http';

/**
 * Writes a Web `Response` to an Express (or plain Node) response: status, every header, each
 * `Set-Cookie` as its own header line (appended to any the app already set), then the body,
 * streamed with backpressure.
 *
 * @example
 * app.use('/auth', async (req, res, next) => {
 *   try {
 *     await sendWebResponse(res, await auth.handler(await toWebRequest(req, auth.config.baseURL)))
 *   } catch (error) {
 *     next(error)
 *   }
 * })
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    // Headers joins repeated Set-Cookie with ", ", which would corrupt cookies holding dates
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', [...existingCookies(res), ...cookies]);

  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } finally {
    reader.releaseLock();
  }
}

function existingCookies(res: ServerResponse): string[] {
  const current = res.getHeader('set-cookie');
  if (current === undefined) return [];
  return Array.isArray(current) ? current : [String(current)];
}

/** Resolves when the socket can take more, or when it closed (the loop then stops). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle).off('close', settle);
      resolve();
    };
    res.on('drain', settle).on('close', settle);
  });
}
