import { lookup } from 'node:dns/promises';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { AuthError } from '../errors.js';
import type { WebhookTarget } from './check-webhook-url.js';
import { judgeAddress } from './webhook-address-policy.js';

/** One address a resolver answered, as `dns.promises.lookup(host, { all: true })` gives it. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to all its addresses; every one is judged before any is used. */
export type WebhookResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (`getaddrinfo`, so /etc/hosts included), every address, in its order. */
export const systemResolver: WebhookResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

export interface PinnedDispatcherOptions {
  /** Default {@link systemResolver}. Tests pass their own to answer private or changing addresses. */
  readonly resolve?: WebhookResolver;
  /** Allow loopback addresses: for test sinks only, never in production. */
  readonly allowLoopback?: boolean;
  /** How long the TCP (and TLS) connection may take. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Certificate authorities (PEM) to trust instead of Node's bundle: a private PKI, or a test
   * sink's self-signed certificate. The certificate is still verified against the host name.
   */
  readonly ca?: string | readonly string[];
}

/** A dispatcher bound to one checked address, and that address. Close it when done. */
export interface PinnedDispatcher {
  readonly dispatcher: Dispatcher;
  /** The address every connection of `dispatcher` goes to. */
  readonly address: string;
}

/**
 * Resolves the target's host name once, refuses if any address it resolves to is forbidden, and
 * returns an undici dispatcher whose every connection goes to the address checked: the host name
 * is never resolved again, so a DNS answer that changes after the check (rebinding to 127.0.0.1)
 * is never used. TLS still verifies the certificate for the host name (SNI) and the `Host` header
 * still names it, so virtual hosting and certificates work as with a plain request. The dispatcher
 * serves the target's origin only and does not follow redirects (undici never does without an
 * interceptor); a request to any other host through it is refused before connecting.
 *
 * All addresses must pass, not just the one used: a resolver that answers a public and a private
 * address is either misconfigured or attacking, and which one `getaddrinfo` puts first is not
 * ours to rely on.
 *
 * @throws AuthError `webhook_url_forbidden` when the name resolves to no address or to a
 *   forbidden one. Resolver errors (`ENOTFOUND`) propagate as they are.
 * @example
 * const { dispatcher } = await createPinnedDispatcher(checkWebhookUrl(url, { environment: 'live' }));
 * try { await request(target.url, { method: 'POST', dispatcher, body }) } finally { await dispatcher.close() }
 */
export async function createPinnedDispatcher(
  target: WebhookTarget,
  options: PinnedDispatcherOptions = {},
): Promise<PinnedDispatcher> {
  const policy = { allowLoopback: options.allowLoopback };
  const addresses = target.isIpLiteral
    ? [target.hostname]
    : (await (options.resolve ?? systemResolver)(target.hostname)).map((entry) => entry.address);
  if (addresses.length === 0) refuse(`${target.hostname} resolved to no address`);
  for (const address of addresses) {
    const verdict = judgeAddress(address, policy);
    if (!verdict.allowed)
      refuse(`${target.hostname} resolves to a forbidden address range (${verdict.range})`);
  }
  const address = addresses[0]!;

  const connectToAddress = buildConnector({
    timeout: options.connectTimeoutMs ?? 10_000,
    ...(options.ca === undefined
      ? {}
      : { ca: typeof options.ca === 'string' ? options.ca : [...options.ca] }),
  });
  const dispatcher = new Agent({
    connect(connectOptions, callback) {
      const { protocol, hostname, port } = connectOptions;
      const portNumber =
        port === '' || port === undefined ? (protocol === 'https:' ? 443 : 80) : Number(port);
      if (protocol !== target.protocol || hostname !== target.hostname || portNumber !== target.port) {
        callback(forbidden(`this connection is pinned to ${target.hostname}:${target.port}`), null);
        return;
      }
      connectToAddress(
        {
          ...connectOptions,
          hostname: address,
          // SNI carries a host name, never an address (RFC 6066 §3)
          servername: target.isIpLiteral ? undefined : target.hostname,
        },
        callback,
      );
    },
  });
  return { dispatcher, address };
}

function forbidden(detail: string): AuthError {
  return new AuthError('webhook_url_forbidden', { detail: `Webhook URL ${detail}.` });
}

function refuse(detail: string): never {
  throw forbidden(detail);
}
