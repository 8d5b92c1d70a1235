import { describe, expect, it } from 'vitest';
import { addressToBytes16, formatGoIP, formatIP, isIPv6Address } from '../src/index.js';

function v6(...groups: number[]): Uint8Array {
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    b[2 * i] = g >> 8;
    b[2 * i + 1] = g & 0xff;
  });
  return b;
}

describe("formatIP: Go's net.IP.String()", () => {
  it.each([
    [v6(0, 0, 0, 0, 0, 0, 0, 0), '::'],
    [v6(0, 0, 0, 0, 0, 0, 0, 1), '::1'],
    [v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), '2001:db8::1'],
    [v6(1, 0, 0, 1, 0, 0, 0, 1), '1:0:0:1::1'], // the longer run wins
    [v6(1, 0, 0, 2, 0, 0, 3, 4), '1::2:0:0:3:4'], // first run on ties
    [v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1), '2001:db8:0:1:1:1:1:1'], // one zero group stays
    [v6(1, 0, 0, 0, 0, 0, 0, 0), '1::'],
    [v6(0xfe80, 0, 0, 0, 0x1234, 0xabcd, 0, 0xff), 'fe80::1234:abcd:0:ff'],
    [v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201), '192.0.2.1'], // v4-mapped prints dotted
    [v6(0, 0, 0, 0, 0, 0xffff, 0, 0), '0.0.0.0'],
    [v6(0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201), '64:ff9b::c000:201'], // NAT64 is not v4-mapped
    [Uint8Array.from([10, 1, 2, 3]), '10.1.2.3'],
  ])('%o → %s', (bytes, text) => {
    expect(formatIP(bytes)).toBe(text);
  });
});

describe('formatGoIP: inet_diag address fields as the original prints them', () => {
  it('an AF_INET field (first 4 bytes) prints dotted', () => {
    const f = new Uint8Array(16);
    f.set([192, 0, 2, 7]);
    expect(isIPv6Address(f)).toBe(false);
    expect(formatGoIP(f)).toBe('192.0.2.7');
  });
  it('an all-zero field is IPv4 0.0.0.0 (the rule looks at bytes 4..15)', () => {
    expect(formatGoIP(new Uint8Array(16))).toBe('0.0.0.0');
  });
  it('::1 is IPv6', () => {
    expect(formatGoIP(v6(0, 0, 0, 0, 0, 0, 0, 1))).toBe('::1');
  });
});

describe('addressToBytes16', () => {
  it.each(['2001:db8::1', '::', '::1', 'fe80::1234:abcd:0:ff', '1:0:0:1::1', '2001:db8:0:1:1:1:1:1', '64:ff9b::c000:201'])(
    'round-trips %s through formatIP',
    (text) => {
      expect(formatIP(addressToBytes16(text))).toBe(text);
    },
  );
  it('maps IPv4 and embedded IPv4 to v4-mapped bytes, ignores scope ids', () => {
    expect(formatIP(addressToBytes16('192.0.2.1'))).toBe('192.0.2.1');
    expect(addressToBytes16('::ffff:192.0.2.1')).toEqual(addressToBytes16('192.0.2.1'));
    expect(formatIP(addressToBytes16('fe80::1%eth0'))).toBe('fe80::1');
  });
  it('refuses what is not an address', () => {
    expect(() => addressToBytes16('foo')).toThrow(/not an IP address/);
  });
});
