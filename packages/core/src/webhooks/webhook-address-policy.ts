import ipaddr from 'ipaddr.js';

/**
 * Why an address may or may not receive a webhook: `allowed`, and the name of the range that
 * decided (`unicast`, `private`, `loopback`, `linkLocal`…, as ipaddr.js names them, or one of
 * ours). `embeddedIPv4` is the IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4,
 * Teredo), which is what was judged.
 */
export interface AddressVerdict {
  readonly allowed: boolean;
  readonly range: string;
  readonly embeddedIPv4?: string;
}

export interface AddressPolicyOptions {
  /** Allow loopback addresses (127.0.0.0/8, ::1). For test sinks only, never in production. */
  readonly allowLoopback?: boolean;
}

/**
 * Judges one IP address (as text) as a webhook destination. Only plain global unicast passes:
 * for IPv4 everything ipaddr.js classes as special (private, loopback, link-local, CGNAT,
 * multicast, broadcast, 0.0.0.0/8, reserved, benchmarking and documentation ranges, 240/4) is
 * refused; for IPv6 only 2000::/3 outside its special blocks. An IPv6 address that carries an
 * IPv4 address is judged by that IPv4 address, since a NAT64 gateway, a 6to4 relay or the host's
 * own dual stack delivers the packet there. Text that is no address is refused (fail closed).
 *
 * @example
 * judgeAddress('::ffff:10.0.0.1') // { allowed: false, range: 'private', embeddedIPv4: '10.0.0.1' }
 */
export function judgeAddress(text: string, options: AddressPolicyOptions = {}): AddressVerdict {
  const address = parseAddress(text);
  if (address === null) return { allowed: false, range: 'invalid' };
  if (address.kind() === 'ipv4') return judgeIPv4(address as ipaddr.IPv4, options);

  const ipv6 = address as ipaddr.IPv6;
  const embedded = embeddedIPv4(ipv6);
  if (embedded === 'refused') return { allowed: false, range: 'nat64LocalUse' };
  if (embedded !== null) {
    // Teredo carries two addresses: any refused one refuses, and is the one reported
    const verdicts = embedded.map((ipv4) => ({ ...judgeIPv4(ipv4, options), embeddedIPv4: ipv4.toString() }));
    return verdicts.find((verdict) => !verdict.allowed) ?? verdicts[0]!;
  }
  const range = ipv6.range();
  if (range === 'loopback' && options.allowLoopback) return { allowed: true, range };
  if (range !== 'unicast') return { allowed: false, range };
  // outside 2000::/3 nothing is allocated for global unicast yet
  if (!ipv6.match(GLOBAL_UNICAST)) return { allowed: false, range: 'unallocated' };
  return { allowed: true, range };
}

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96') as [ipaddr.IPv6, number];
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as [ipaddr.IPv6, number];
const NAT64_LOCAL_USE = ipaddr.parseCIDR('64:ff9b:1::/48') as [ipaddr.IPv6, number];
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16') as [ipaddr.IPv6, number];
const TEREDO = ipaddr.parseCIDR('2001::/32') as [ipaddr.IPv6, number];
const IPV4_TRANSLATED = ipaddr.parseCIDR('::ffff:0:0:0/96') as [ipaddr.IPv6, number];

function judgeIPv4(address: ipaddr.IPv4, options: AddressPolicyOptions): AddressVerdict {
  const range = address.range();
  if (range === 'loopback' && options.allowLoopback) return { allowed: true, range };
  return { allowed: range === 'unicast', range };
}

/**
 * The IPv4 addresses an IPv6 address carries, null when it carries none, or 'refused' for the
 * local-use NAT64 prefix, whose embedding depends on the operator's prefix length: it names a
 * private translator, never a public destination, so it is refused whole.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] | 'refused' | null {
  const parts = address.parts;
  const fromParts = (high: number, low: number) =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  if (address.isIPv4MappedAddress() || address.match(IPV4_TRANSLATED) || address.match(NAT64_WELL_KNOWN)) {
    return [fromParts(parts[6]!, parts[7]!)];
  }
  // `::` and `::1` sit inside ::/96 but are the unspecified and loopback addresses themselves
  if (address.match(IPV4_COMPATIBLE) && (parts[6] !== 0 || parts[7]! > 1)) {
    return [fromParts(parts[6]!, parts[7]!)];
  }
  if (address.match(NAT64_LOCAL_USE)) return 'refused';
  if (address.match(SIX_TO_FOUR)) return [fromParts(parts[1]!, parts[2]!)];
  if (address.match(TEREDO)) {
    // RFC 4380: the server's address in clear, the client's public address with every bit flipped
    return [fromParts(parts[6]! ^ 0xffff, parts[7]! ^ 0xffff), fromParts(parts[2]!, parts[3]!)];
  }
  return null;
}

/**
 * Strictly parses an address a resolver or a URL produced: dotted-quad IPv4 or IPv6 (a zone is
 * refused: a scoped address is link-local by definition). ipaddr.js alone would also accept the
 * inet_aton spellings (`0x7f.1`); those never come from a resolver, and WHATWG URL parsing has
 * already turned them into dotted quads in a hostname.
 */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (bare.includes(':') && !bare.includes('%') && ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return null;
}

/** Whether `hostname` (as `new URL` leaves it) is an IP literal rather than a DNS name. */
export function isIpLiteral(hostname: string): boolean {
  return parseAddress(hostname) !== null;
}
