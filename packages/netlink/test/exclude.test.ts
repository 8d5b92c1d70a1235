import { describe, expect, it } from 'vitest';
import { ArchivalRecord } from '../src/archival-record.js';
import { ExclusionRules, isLocalAddress, parseExclusionFlags, parseIPAddress } from '../src/exclude.js';
import { GoTime } from '../src/go-time.js';
import { buildIdm, buildPayload, kernel618Attributes, v4, v6 } from '@tcpinfo/testing';

const PUBLIC_V4 = v4('192.0.2.1');
const PUBLIC_V6 = v6('2001:db8:0:0:0:0:0:1');
const mapped = (a: string) => v6(`0:0:0:0:0:ffff:${a}`);

describe('always dropped: loopback, link-local, multicast, unspecified (SPEC §6)', () => {
  const rules = new ExclusionRules();
  const cases: [string, Uint8Array, boolean][] = [
    ['public IPv4', PUBLIC_V4, false],
    ['public IPv6', PUBLIC_V6, false],
    ['v4-mapped public', mapped('c000:0201'), false],
    ['IPv4 loopback 127.0.0.1', v4('127.0.0.1'), true],
    ['IPv4 loopback 127.255.0.9', v4('127.255.0.9'), true],
    ['IPv6 loopback ::1', v6('0:0:0:0:0:0:0:1'), true],
    ['v4-mapped loopback ::ffff:127.0.0.1', mapped('7f00:0001'), true],
    ['IPv4 link-local 169.254.1.1', v4('169.254.1.1'), true],
    ['IPv4 169.253.1.1 is not link-local', v4('169.253.1.1'), false],
    ['IPv6 link-local fe80::1', v6('fe80:0:0:0:0:0:0:1'), true],
    ['IPv6 link-local febf::1', v6('febf:0:0:0:0:0:0:1'), true],
    ['IPv6 fec0::1 is not link-local', v6('fec0:0:0:0:0:0:0:1'), false],
    ['v4-mapped link-local', mapped('a9fe:0101'), true],
    ['IPv4 multicast 224.0.0.1', v4('224.0.0.1'), true],
    ['IPv4 multicast 239.255.255.255', v4('239.255.255.255'), true],
    ['IPv4 240.0.0.1 is not multicast', v4('240.0.0.1'), false],
    ['IPv6 multicast ff02::1', v6('ff02:0:0:0:0:0:0:1'), true],
    ['v4-mapped multicast', mapped('e000:0001'), true],
    ['IPv4 unspecified 0.0.0.0 (also IPv6 ::)', v4('0.0.0.0'), true],
    ['v4-mapped unspecified ::ffff:0.0.0.0', mapped('0:0'), true],
    ['IPv6 ::2 is not loopback', v6('0:0:0:0:0:0:0:2'), false],
    ['v4-compatible ::127.0.0.1 is not loopback (not v4-mapped)', v6('0:0:0:0:0:0:7f00:1'), false],
  ];
  it.each(cases)('%s as source', (_name, addr, expected) => {
    const idm = buildIdm({ family: 10, src: addr, dst: PUBLIC_V6 });
    expect(rules.excludes(idm)).toBe(expected);
    expect(isLocalAddress(addr)).toBe(expected);
  });
  it.each(cases)('%s as destination', (_name, addr, expected) => {
    expect(rules.excludes(buildIdm({ family: 10, src: PUBLIC_V6, dst: addr }))).toBe(expected);
  });

  it('can be switched off for tools that archive everything', () => {
    expect(new ExclusionRules({ local: false }).excludes(buildIdm({ src: v4('127.0.0.1'), dst: v4('127.0.0.1') }))).toBe(false);
  });
});

describe('optional source ports and destination IPs', () => {
  const { rules, warnings } = parseExclusionFlags(['22,9990', ' 65535 '], ['203.0.113.7', '2001:db8::42, ::ffff:198.51.100.3']);

  it('parses repeated, comma-separated values without warnings', () => {
    expect(warnings).toEqual([]);
  });

  it.each([
    ['listed source port 22', buildIdm({ sport: 22 }), true],
    ['listed source port 65535 (Go refuses ports above 32767; we do not)', buildIdm({ sport: 65535 }), true],
    ['unlisted source port', buildIdm({ sport: 23 }), false],
    ['listed port as destination port is kept', buildIdm({ dport: 22 }), false],
    ['listed IPv4 destination', buildIdm({ dst: v4('203.0.113.7') }), true],
    ['listed IPv4 as source is kept', buildIdm({ src: v4('203.0.113.7') }), false],
    ['listed IPv6 destination', buildIdm({ family: 10, src: PUBLIC_V6, dst: v6('2001:db8:0:0:0:0:0:42') }), true],
    ['listed IPv4 destination, v4-mapped on an IPv6 socket', buildIdm({ family: 10, src: mapped('c000:0201'), dst: mapped('cb00:7107') }), true],
    ['listed v4-mapped value matches plain IPv4', buildIdm({ dst: v4('198.51.100.3') }), true],
    ['unlisted destination', buildIdm({ dst: v4('203.0.113.8') }), false],
  ])('%s', (_name, idm, expected) => {
    expect(rules.excludes(idm)).toBe(expected);
  });

  it('logs and skips values that do not parse, keeping the rest', () => {
    const parsed = parseExclusionFlags(['80,http,-1,65536,0x50'], ['10.0.0.1,not-an-ip,01.2.3.4,fe80::1%eth0']);
    expect(parsed.warnings).toHaveLength(7);
    expect(parsed.warnings.join('\n')).toMatch(/exclude-srcport.*"http"/);
    expect(parsed.warnings.join('\n')).toMatch(/exclude-dstip.*"fe80::1%eth0"/);
    expect(parsed.rules.excludes(buildIdm({ sport: 80 }))).toBe(true);
    expect(parsed.rules.excludes(buildIdm({ dst: v4('10.0.0.1') }))).toBe(true);
  });
});

it('refuses bad rules given directly with NetlinkParseError', () => {
  for (const init of [{ srcPorts: [65536] }, { srcPorts: [1.5] }, { dstIPs: ['nope'] }, { dstIPs: [new Uint8Array(4)] }]) {
    expect(() => new ExclusionRules(init)).toThrow(expect.objectContaining({ name: 'NetlinkParseError', code: 'BAD_EXCLUSION_RULE' }));
  }
});

describe('parseIPAddress', () => {
  it.each([
    ['1.2.3.4', v4('1.2.3.4')],
    ['::', new Uint8Array(16)],
    ['::1', v6('0:0:0:0:0:0:0:1')],
    ['2001:db8::', v6('2001:db8:0:0:0:0:0:0')],
    ['2001:DB8:1:2:3:4:5:6', v6('2001:db8:1:2:3:4:5:6')],
    ['fe80::1:2', v6('fe80:0:0:0:0:0:1:2')],
    ['::ffff:1.2.3.4', v4('1.2.3.4')],
    ['64:ff9b::1.2.3.4', v6('64:ff9b:0:0:0:0:102:304')],
  ])('%s', (text, bytes) => {
    expect(parseIPAddress(text)).toEqual(bytes);
  });
  it.each(['', '1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%lo', 'localhost', '1:2:3:4:5:6:7::8'])(
    'refuses %j',
    (text) => {
      expect(parseIPAddress(text)).toBeUndefined();
    },
  );
});

describe('fromMessage applies the rules', () => {
  it('returns undefined for an excluded connection and a record otherwise', () => {
    const ts = GoTime.now();
    const exclude = new ExclusionRules({ srcPorts: [22] });
    const attrs = kernel618Attributes();
    expect(ArchivalRecord.fromMessage(buildPayload(buildIdm({ sport: 22 }), attrs), ts, { exclude })).toBeUndefined();
    expect(ArchivalRecord.fromMessage(buildPayload(buildIdm({ src: v4('127.0.0.1') }), attrs), ts, { exclude })).toBeUndefined();
    expect(ArchivalRecord.fromMessage(buildPayload(buildIdm({ sport: 23 }), attrs), ts, { exclude })).toBeInstanceOf(ArchivalRecord);
    // Without rules nothing is excluded, not even loopback (the original's behaviour with a nil config).
    expect(ArchivalRecord.fromMessage(buildPayload(buildIdm({ src: v4('127.0.0.1') }), attrs), ts)).toBeInstanceOf(ArchivalRecord);
  });
});
