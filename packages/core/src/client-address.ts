import ipaddr from 'ipaddr.js';

/** Longer than any spelling of an address this accepts (bracketed IPv6 with a port and zone). */
const MAX_INPUT_LENGTH = 100;

/**
 * The canonical spelling of one client address, or null when `text` is not one: IPv4 in dotted
 * decimal, IPv6 compressed and lower-case (RFC 5952), an IPv4-mapped IPv6 address as its IPv4
 * address. Accepted around it: brackets, a port (`192.0.2.10:8080`, `[2001:db8::1]:443`), a
 * zone (`fe80::1%eth0`, dropped). IPv4 is accepted as four decimal parts, leading zeros read as
 * decimal (`192.000.002.010` is 192.0.2.10, as Go and Python read it), or as one 32-bit decimal
 * number; the inet_aton relics (octal and hex parts, fewer than four parts) are refused, since
 * they read differently in different parsers.
 *
 * Every spelling of one address thus gets one rate-limit bucket, and what is stored as a
 * session's or audit event's IP is always an address, never the text a client sent.
 */
export function canonicalAddress(text: string | null | undefined): string | null {
  if (!text || text.length > MAX_INPUT_LENGTH) return null;
  let host = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(host);
  if (bracketed) host = bracketed[1]!;
  else if (/^[^:]+:\d{1,5}$/.test(host)) host = host.slice(0, host.lastIndexOf(':'));
  host = host.replace(/%[0-9a-z._~-]+$/i, '');

  if (!host.includes(':')) return /^\d{1,10}$/.test(host) ? fromNumber(Number(host)) : dottedDecimal(host);
  const lastColon = host.lastIndexOf(':');
  const tail = host.slice(lastColon + 1);
  if (tail.includes('.')) {
    // an embedded IPv4 tail (`::ffff:192.0.2.10`) follows the same decimal rule
    const ipv4 = dottedDecimal(tail);
    if (ipv4 === null) return null;
    host = host.slice(0, lastColon + 1) + ipv4;
  }
  if (!ipaddr.IPv6.isValid(host)) return null;
  const address = ipaddr.IPv6.parse(host);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  address.zoneId = undefined;
  return address.toRFC5952String();
}

/**
 * The part of a client address a limit counts: an IPv4 address whole, an IPv6 address by its
 * /64 (`2001:db8:0:1::/64`). One subscriber usually holds a whole /64 and picks any address in it
 * at will, so counting full IPv6 addresses would give one client 2^64 buckets. `address` is canonical (see
 * {@link canonicalAddress}); text that is no IPv6 address is returned as is.
 */
export function addressBucket(address: string): string {
  if (!ipaddr.IPv6.isValid(address)) return address;
  const parts = ipaddr.IPv6.parse(address).parts.map((part, i) => (i < 4 ? part : 0));
  return `${new ipaddr.IPv6(parts).toRFC5952String()}/64`;
}

function dottedDecimal(text: string): string | null {
  if (!/^\d{1,5}(\.\d{1,5}){3}$/.test(text)) return null;
  const octets = text.split('.').map((part) => Number.parseInt(part, 10));
  return octets.every((octet) => octet <= 255) ? octets.join('.') : null;
}

function fromNumber(value: number): string | null {
  if (value > 0xffffffff) return null;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/**
 * How the client address is found (`trustProxy`, `proxyHeader`): the socket's address, or an
 * entry of the forwarding header that proxies you control wrote.
 * - `hops` > 0: that many proxies, always in front: the entry `hops` from the right;
 * - `trustedProxies` (CIDRs): walk the chain from the socket leftwards past every trusted
 *   proxy; the first address that is none is the client. A request whose socket address is no
 *   trusted proxy came straight in: its header is whatever the client wrote, and is ignored.
 */
export interface ClientAddressRule {
  hops: number;
  trustedProxies: readonly string[];
  header: 'x-forwarded-for' | 'forwarded';
}

/** True when `text` is an address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`). */
export function isAddressRange(text: string): boolean {
  return parseRange(text) !== null;
}

/**
 * The client address by `rule` (see {@link ClientAddressRule}), canonical; null when neither
 * the chain nor the socket gives an address. An entry that is no address (a misconfigured proxy,
 * or a chain shorter than `hops`) falls back to the socket address: the text a client sent is
 * never taken as its address.
 */
export function findClientAddress(
  header: string | null,
  socketAddress: string | null | undefined,
  rule: ClientAddressRule,
): string | null {
  const socket = canonicalAddress(socketAddress);
  if (rule.hops === 0 && rule.trustedProxies.length === 0) return socket;
  // empty entries keep their place: dropping them would shift a client-written entry into it
  const chain = forwardedChain(header, rule.header);
  if (rule.hops > 0) return canonicalAddress(chain[chain.length - rule.hops]) ?? socket;
  const trusted = trustedBy(rule);
  if (!socket || !trusted(socket)) return socket;
  for (let i = chain.length - 1; i >= 0; i--) {
    const address = canonicalAddress(chain[i]);
    if (!address) return socket;
    if (!trusted(address) || i === 0) return address;
  }
  return socket;
}

/**
 * True when the request reached us through a proxy `rule` trusts, so the headers it adds (a
 * request id) are the proxy's: always with `hops` (the proxies are always in front), and with
 * `trustedProxies` when the socket address is in one of their ranges. Never without a rule.
 */
export function isFromTrustedProxy(
  socketAddress: string | null | undefined,
  rule: ClientAddressRule,
): boolean {
  if (rule.hops > 0) return true;
  const socket = canonicalAddress(socketAddress);
  return socket !== null && rule.trustedProxies.length > 0 && trustedBy(rule)(socket);
}

function trustedBy(rule: ClientAddressRule): (address: string) => boolean {
  const ranges = rule.trustedProxies.map(parseRange).filter((r) => r !== null);
  return (address) => {
    const parsed = ipaddr.parse(address);
    return ranges.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
  };
}

/** The addresses of `X-Forwarded-For`, or the `for=` of each `Forwarded` element (RFC 7239), left to right. */
function forwardedChain(header: string | null, kind: ClientAddressRule['header']): string[] {
  if (header === null) return [];
  if (kind === 'x-forwarded-for') return header.split(',');
  return header.split(',').map((element) => {
    const pair = element
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.toLowerCase().startsWith('for='));
    // `for=unknown` and obfuscated `for=_hidden` are no address: kept as such, never as text
    return pair ? pair.slice(4).replace(/^"(.*)"$/, '$1') : '';
  });
}

function parseRange(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const address = canonicalAddress(text);
    if (!address) return null;
    const parsed = ipaddr.parse(address);
    return [parsed, parsed.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}
