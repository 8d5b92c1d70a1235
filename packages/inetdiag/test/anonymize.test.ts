import { describe, expect, it } from 'vitest';
import { addressToBytes16, AF_INET, AF_INET6, createAnonymizer, decodeInetDiagMsg, InetDiagParseError, parseAnonymizationMethod } from '../src/index.js';

function idm(family: number, src: string, dst: string): Uint8Array {
  const b = new Uint8Array(72);
  b[0] = family;
  const put = (at: number, text: string) => {
    const bytes = addressToBytes16(text);
    // AF_INET keeps IPv4 in the first 4 bytes of the field; AF_INET6 stores all 16.
    if (family === AF_INET) b.set(bytes.subarray(12), at);
    else b.set(bytes, at);
  };
  put(8, src);
  put(24, dst);
  b[44] = 0x2a; // cookie, to see the rest is untouched
  return b;
}

const addrs = (m: Uint8Array) => {
  const d = decodeInetDiagMsg(m);
  return [d.id.src, d.id.dst];
};

describe('anonymization (SPEC §6)', () => {
  const netblock = createAnonymizer('netblock', ['192.0.2.1', '2001:db8::1']);

  it('none returns the message itself', () => {
    const m = idm(AF_INET, '198.51.100.7', '203.0.113.9');
    expect(createAnonymizer('none').anonymize(m)).toBe(m);
  });

  it('netblock keeps the /24 of IPv4 peers, on a copy', () => {
    const m = idm(AF_INET, '198.51.100.7', '203.0.113.9');
    const before = Uint8Array.from(m);
    const out = netblock.anonymize(m);
    expect(addrs(out)).toEqual(['198.51.100.0', '203.0.113.0']);
    expect(m).toEqual(before); // input untouched
    expect(out[44]).toBe(0x2a);
  });

  it('netblock keeps the /48 of IPv6 peers and v4-mapped /24', () => {
    expect(addrs(netblock.anonymize(idm(AF_INET6, '2001:db8:aaaa:bbbb::5', '::ffff:198.51.100.7')))).toEqual([
      '2001:db8:aaaa::',
      '198.51.100.0',
    ]);
  });

  it("exempts this host's own addresses", () => {
    expect(addrs(netblock.anonymize(idm(AF_INET, '192.0.2.1', '203.0.113.9')))).toEqual(['192.0.2.1', '203.0.113.0']);
    expect(addrs(netblock.anonymize(idm(AF_INET6, '2001:db8::1', '2001:db8:1:2:3:4:5:6')))).toEqual([
      '2001:db8::1',
      '2001:db8:1::',
    ]);
    expect(addrs(netblock.anonymize(idm(AF_INET6, '::ffff:192.0.2.1', '::ffff:192.0.2.77')))).toEqual([
      '192.0.2.1',
      '192.0.2.0',
    ]);
  });

  it('by default exempts the addresses os.networkInterfaces() reports (loopback at least)', () => {
    const out = createAnonymizer('netblock').anonymize(idm(AF_INET, '127.0.0.1', '203.0.113.9'));
    expect(addrs(out)).toEqual(['127.0.0.1', '203.0.113.0']);
  });

  it('refuses unknown methods, short messages and unknown families', () => {
    expect(parseAnonymizationMethod('netblock')).toBe('netblock');
    expect(() => parseAnonymizationMethod('foo')).toThrow(/unknown IP anonymization method "foo"/);
    expect(() => netblock.anonymize(new Uint8Array(10))).toThrow(InetDiagParseError);
    expect(() => netblock.anonymize(new Uint8Array(72))).toThrow(InetDiagParseError);
  });
});
