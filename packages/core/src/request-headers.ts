/**
 * Headers as Node's `http.IncomingMessage#headers` holds them (Express, Fastify, Koa and plain
 * `node:http` requests): lower-case names, repeated headers joined by Node (`Cookie` with `; `,
 * most others with `, `), `set-cookie` as an array.
 */
export type NodeHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A request's headers as a framework hands them over: Web `Headers`, or Node's header object. The
 * framework guards read the few headers they need straight from the request they were given, so
 * a protected request never pays for copying every header into a Web `Headers`.
 */
export type RequestHeaders = Headers | NodeHeaders;

/**
 * One header's value, or null when absent: `headers.get(name)` for Web `Headers`; for Node's
 * object the value under the lower-case name, an array joined with `, ` as `Headers.get` would.
 */
export function headerValue(headers: RequestHeaders, name: string): string | null {
  // Headers-like objects from another realm (Next.js's ReadonlyHeaders, undici's) have `get`; a
  // Node header object cannot, its values are strings
  if (typeof headers.get === 'function') return (headers as Headers).get(name);
  const value = (headers as NodeHeaders)[name];
  if (value === undefined) return null;
  return typeof value === 'string' ? value : value.join(', ');
}
