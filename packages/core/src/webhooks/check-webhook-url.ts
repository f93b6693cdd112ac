import { AuthError } from '../errors.js';
import { isIpLiteral, judgeAddress } from './webhook-address-policy.js';

/** Ports a webhook URL may name when the caller gives no list: HTTPS on 443 and 8443. */
export const DEFAULT_WEBHOOK_HTTPS_PORTS: readonly number[] = [443, 8443];
/** Ports a plain-HTTP webhook URL (the `test` environment only) may name by default. */
export const DEFAULT_WEBHOOK_HTTP_PORTS: readonly number[] = [80, 8080];

/** Longer than any webhook URL worth storing; a longer one is refused before it is parsed. */
const MAX_URL_LENGTH = 2048;

export interface CheckWebhookUrlOptions {
  /**
   * The endpoint's environment. Only `test` may use plain `http:`; every other environment
   * (`live` and any configured one) requires `https:`.
   */
  readonly environment: string;
  /**
   * Ports the URL may name (its scheme's default port included: `https://host/` is port 443).
   * Default: {@link DEFAULT_WEBHOOK_HTTPS_PORTS} for `https:`, {@link DEFAULT_WEBHOOK_HTTP_PORTS}
   * for `http:`.
   */
  readonly allowedPorts?: readonly number[];
  /** Allow loopback hosts (127.0.0.0/8, ::1, `localhost`). For test sinks only. */
  readonly allowLoopback?: boolean;
}

/** A webhook URL the guard accepted: what a delivery connects to, and how it names it. */
export interface WebhookTarget {
  /** The normalised URL (WHATWG serialisation, no trailing dot on the host). */
  readonly url: string;
  readonly protocol: 'https:' | 'http:';
  /** Lower case, IDNA (punycode) applied, no trailing dot, IPv6 without brackets. */
  readonly hostname: string;
  readonly port: number;
  /** The host is an IP address already judged; a DNS name is judged on every connection. */
  readonly isIpLiteral: boolean;
}

/**
 * Checks a webhook endpoint URL at registration: an absolute `https:` URL (`http:` in the `test`
 * environment only), no user name or password, an allowed port, no fragment, and a host that is
 * a DNS name with at least one dot (never `localhost` or a single label that a resolver's search
 * list could complete into an internal name) or a public IP address. IP addresses in any
 * notation (`0x7f.1`, `2130706433`, `[::ffff:127.0.0.1]`) are judged after WHATWG URL parsing
 * has turned them into canonical form. A DNS name is judged again at each connection, by the
 * addresses it resolves to then (see `createPinnedDispatcher`).
 *
 * @throws AuthError `webhook_url_forbidden`, with a detail that says which rule refused it.
 * @example
 * const target = checkWebhookUrl('https://hooks.example.com/portcullis', { environment: 'live' });
 * // target.hostname === 'hooks.example.com', target.port === 443
 */
export function checkWebhookUrl(input: string, options: CheckWebhookUrlOptions): WebhookTarget {
  if (input.length > MAX_URL_LENGTH) refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  const url = URL.parse(input);
  if (url === null) refuse('must be an absolute URL');
  const protocol = url.protocol;
  if (protocol !== 'https:' && protocol !== 'http:') refuse('must use https');
  if (protocol === 'http:' && options.environment !== 'test') {
    refuse('must use https (plain http is allowed in the test environment only)');
  }
  // `https://good.example@127.0.0.1/` names 127.0.0.1: a reader who trusts the left part is fooled
  if (url.username !== '' || url.password !== '') refuse('must not contain a user name or password');
  if (url.hash !== '') refuse('must not contain a fragment');

  const port = url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port);
  const allowedPorts =
    options.allowedPorts ??
    (protocol === 'https:' ? DEFAULT_WEBHOOK_HTTPS_PORTS : DEFAULT_WEBHOOK_HTTP_PORTS);
  if (!allowedPorts.includes(port))
    refuse(`port ${port} is not allowed (allowed: ${allowedPorts.join(', ')})`);

  let hostname = url.hostname;
  if (hostname.startsWith('[')) hostname = hostname.slice(1, -1);
  // `example.com.` is `example.com` to DNS: one spelling, so allow lists and logs see one name
  else if (hostname.endsWith('.')) hostname = hostname.slice(0, -1);
  if (hostname === '') refuse('must name a host');

  const literal = isIpLiteral(hostname);
  if (literal) {
    const verdict = judgeAddress(hostname, { allowLoopback: options.allowLoopback });
    if (!verdict.allowed) refuse(`${hostname} is in a forbidden address range (${verdict.range})`);
  } else {
    const isLocalhost = hostname === 'localhost' || hostname.endsWith('.localhost');
    if (isLocalhost && !options.allowLoopback) refuse('must not name localhost');
    if (!isLocalhost && !hostname.includes('.')) refuse('must name a fully qualified host');
  }

  url.hostname = literal && hostname.includes(':') ? `[${hostname}]` : hostname;
  return { url: url.href, protocol, hostname, port, isIpLiteral: literal };
}

function refuse(detail: string): never {
  throw new AuthError('webhook_url_forbidden', { detail: `Webhook URL ${detail}.` });
}
