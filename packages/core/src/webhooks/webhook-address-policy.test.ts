import { describe, expect, it } from 'vitest';
import { judgeAddress } from './webhook-address-policy.js';

describe('judgeAddress', () => {
  it.each([
    ['8.8.8.8', 'unicast'],
    ['93.184.215.14', 'unicast'],
    ['2606:4700:4700::1111', 'unicast'],
    ['2a00:1450:4001:80b::200e', 'unicast'],
  ])('allows the global unicast address %s', (address, range) => {
    expect(judgeAddress(address)).toEqual({ allowed: true, range });
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.1', 'reserved'],
  ])('refuses the IPv4 address %s (%s)', (address, range) => {
    expect(judgeAddress(address)).toEqual({ allowed: false, range });
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard'],
    ['2001:db8::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['2001:2::1', 'benchmarking'],
    ['64:ff9b:1::a00:1', 'nat64LocalUse'],
    // nothing is allocated outside 2000::/3: ipaddr.js calls these unicast, the policy does not
    ['4000::1', 'unallocated'],
    ['1::1', 'unallocated'],
  ])('refuses the IPv6 address %s (%s)', (address, range) => {
    expect(judgeAddress(address)).toEqual({ allowed: false, range });
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', '127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', '169.254.169.254', 'linkLocal'],
    ['::ffff:0:a00:1', '10.0.0.1', 'private'],
    ['::7f00:1', '127.0.0.1', 'loopback'],
    ['::10.1.2.3', '10.1.2.3', 'private'],
    ['64:ff9b::7f00:1', '127.0.0.1', 'loopback'],
    ['64:ff9b::192.168.0.1', '192.168.0.1', 'private'],
    ['2002:7f00:1::', '127.0.0.1', 'loopback'],
    ['2002:a9fe:a9fe::1', '169.254.169.254', 'linkLocal'],
    // Teredo: the client's address is stored with every bit flipped (0x80ff:fffe is 127.0.0.1)
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1', 'loopback'],
    // and the server's in clear
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', '10.0.0.1', 'private'],
  ])('decodes the IPv4 address inside %s and judges it as IPv4', (address, ipv4, range) => {
    const verdict = judgeAddress(address);
    expect(verdict).toEqual({ allowed: false, range, embeddedIPv4: ipv4 });
  });

  it('allows an IPv6 address that carries a public IPv4 address (a NAT64 gateway to 8.8.8.8)', () => {
    expect(judgeAddress('64:ff9b::808:808')).toEqual({
      allowed: true,
      range: 'unicast',
      embeddedIPv4: '8.8.8.8',
    });
    expect(judgeAddress('::ffff:8.8.8.8')).toEqual({
      allowed: true,
      range: 'unicast',
      embeddedIPv4: '8.8.8.8',
    });
  });

  it.each([
    '0x7f.1',
    '2130706433',
    '127.1',
    '017700000001',
    'localhost',
    '',
    'fe80::1%eth0',
    '::ffff:127.1',
  ])('refuses %j, which is not an address in canonical form (fail closed)', (text) => {
    expect(judgeAddress(text)).toEqual({ allowed: false, range: 'invalid' });
  });

  it('allows loopback, and only loopback, when asked for test sinks', () => {
    const options = { allowLoopback: true };
    expect(judgeAddress('127.0.0.1', options).allowed).toBe(true);
    expect(judgeAddress('::1', options).allowed).toBe(true);
    expect(judgeAddress('::ffff:127.0.0.1', options).allowed).toBe(true);
    expect(judgeAddress('10.0.0.1', options).allowed).toBe(false);
    expect(judgeAddress('169.254.169.254', options).allowed).toBe(false);
    expect(judgeAddress('0.0.0.0', options).allowed).toBe(false);
  });
});
