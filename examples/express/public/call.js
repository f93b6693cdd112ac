// The one way the page's scripts call the server: JSON in and out, the session cookie sent by
// the browser (same origin), and a problem+json answer thrown as the problem object, so every
// script shows the server's own words.

/** Calls the server; a problem+json answer is thrown as the problem object. */
export async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = data ?? { title: `HTTP ${response.status}` };
    // 429s say when to try again; the page puts it in the message
    const retryAfter = Number(response.headers.get('retry-after'));
    if (retryAfter > 0) problem.retryAfterSeconds = retryAfter;
    throw problem;
  }
  return data;
}
