import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchivalRecord } from '../src/archival-record.js';
import { ChangeType, changeTypeName, compareAttributeLists, comparePayloads, compareRaw } from '../src/change.js';
import { NetlinkParseError } from '../src/errors.js';
import { GoTime } from '../src/go-time.js';
import { buildIdm, buildPayload, kernel618Attributes, tcpInfo } from '@tcpinfo/testing';
import { loadRawPayloads } from '@tcpinfo/testing';

type Attrs = [number, Uint8Array][];

const base = (): { idm: Buffer; attrs: Attrs } => ({ idm: buildIdm(), attrs: kernel618Attributes() });

function withInfoByte(offset: number): Attrs {
  const info = tcpInfo();
  info[offset] = info[offset]! ^ 0xff;
  return kernel618Attributes(info);
}

function replace(attrs: Attrs, type: number, value: Uint8Array | undefined): Attrs {
  const out = attrs.filter(([t]) => t !== type);
  if (value !== undefined) out.push([type, value]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** The three implementations must agree; returns their common answer. */
function compareAll(prev: Buffer, cur: Buffer): ChangeType {
  const viaPayloads = comparePayloads(prev, cur);
  const viaRaw = compareRaw(prev.subarray(0, 72), prev.subarray(72), cur.subarray(0, 72), cur.subarray(72));
  const prevRecord = ArchivalRecord.fromMessage(prev, GoTime.ZERO)!;
  const curRecord = ArchivalRecord.fromMessage(cur, GoTime.ZERO)!;
  const viaRecords = curRecord.compare(prevRecord);
  const viaParsed = ArchivalRecord.parseLine(curRecord.toJSONLine()).compare(ArchivalRecord.parseLine(prevRecord.toJSONLine()));
  expect({ viaRaw, viaRecords, viaParsed }).toEqual({ viaRaw: viaPayloads, viaRecords: viaPayloads, viaParsed: viaPayloads });
  return viaPayloads;
}

describe('change detection (SPEC §4, the original Compare)', () => {
  const { idm, attrs } = base();
  const prev = buildPayload(idm, attrs);
  const cases: [string, Buffer, ChangeType][] = [
    ['identical', buildPayload(idm, attrs), ChangeType.NoMajorChange],
    ['only idiag_expires changed', buildPayload(buildIdm({ expires: 999 }), attrs), ChangeType.NoMajorChange],
    ['only last_data_sent (tcp_info 44) changed', buildPayload(idm, withInfoByte(44)), ChangeType.NoMajorChange],
    ['only last_ack_recv (tcp_info 59) changed', buildPayload(idm, withInfoByte(59)), ChangeType.NoMajorChange],
    ['only busy_time (tcp_info 168) changed', buildPayload(idm, withInfoByte(168)), ChangeType.NoMajorChange],
    ['only a field past the original struct (tcp_info 250) changed', buildPayload(idm, withInfoByte(250)), ChangeType.NoMajorChange],
    ['TCP state changed', buildPayload(buildIdm({ state: 4 }), attrs), ChangeType.IDiagStateChange],
    ['state change wins over everything', buildPayload(buildIdm({ state: 4 }), replace(attrs, 2, undefined)), ChangeType.IDiagStateChange],
    ['tcp_info vanished', buildPayload(idm, replace(attrs, 2, undefined)), ChangeType.NoTCPInfo],
    ['no attributes at all', buildPayload(idm, []), ChangeType.NoTCPInfo],
    ['only MEMINFO (array too short for INFO)', buildPayload(idm, [[1, Buffer.alloc(16)]]), ChangeType.NoTCPInfo],
    ['pmtu (tcp_info 60) changed', buildPayload(idm, withInfoByte(60)), ChangeType.StateOrCounterChange],
    ['delivery_rate last byte (tcp_info 167) changed', buildPayload(idm, withInfoByte(167)), ChangeType.StateOrCounterChange],
    ['tcpi_state (tcp_info 0) changed', buildPayload(idm, withInfoByte(0)), ChangeType.StateOrCounterChange],
    ['fackets (tcp_info 43) changed', buildPayload(idm, withInfoByte(43)), ChangeType.StateOrCounterChange],
    ['tcp_info shorter, cut inside the counters', buildPayload(idm, replace(attrs, 2, tcpInfo(120))), ChangeType.StateOrCounterChange],
    ['tcp_info longer beyond the counters only', buildPayload(idm, replace(attrs, 2, tcpInfo(300))), ChangeType.NoMajorChange],
    ['array grew (type 23 appeared)', buildPayload(idm, replace(attrs, 23, Buffer.alloc(4))), ChangeType.NewAttribute],
    ['array shrank (type 22 vanished)', buildPayload(idm, replace(attrs, 22, undefined)), ChangeType.LostAttribute],
    ['VEGASINFO (3) appeared', buildPayload(idm, replace(attrs, 3, Buffer.alloc(16))), ChangeType.NewAttribute],
    ['TOS (5) vanished', buildPayload(idm, replace(attrs, 5, undefined)), ChangeType.LostAttribute],
    ['CONG changed length', buildPayload(idm, replace(attrs, 4, Buffer.from('cubic\0'))), ChangeType.AttributeLength],
    ['SKMEMINFO changed bytes', buildPayload(idm, replace(attrs, 7, Buffer.alloc(36, 8))), ChangeType.Other],
    ['MEMINFO changed bytes', buildPayload(idm, replace(attrs, 1, Buffer.alloc(16, 2))), ChangeType.Other],
    ['a type above 38 appeared (array clamps to 39 entries)', buildPayload(idm, [...attrs, [40, Buffer.alloc(4)]]), ChangeType.NewAttribute],
  ];
  it.each(cases)('%s', (_name, cur, expected) => {
    expect(changeTypeName(compareAll(prev, cur))).toBe(changeTypeName(expected));
  });

  it('checks the earliest type first when several attributes differ', () => {
    const cur = buildPayload(idm, replace(replace(attrs, 1, Buffer.alloc(16, 9)), 4, Buffer.from('cubic\0')));
    expect(compareAll(prev, cur)).toBe(ChangeType.Other); // type 1 (bytes) before type 4 (length)
  });

  it('keys the counters on the last of duplicated INFO attributes', () => {
    const dup = buildPayload(idm, [...attrs, [2, tcpInfo(280, 1)]]);
    const dupChanged = buildPayload(idm, [...attrs, [2, tcpInfo(280, 2)]]);
    expect(compareAll(prev, dup)).toBe(ChangeType.NoMajorChange);
    expect(compareAll(dup, dupChanged)).toBe(ChangeType.StateOrCounterChange);
  });

  it('treats zero-length attributes as present', () => {
    const empty = buildPayload(idm, replace(attrs, 8, new Uint8Array(0)));
    expect(compareAll(prev, empty)).toBe(ChangeType.AttributeLength);
    expect(compareAll(empty, buildPayload(idm, replace(attrs, 8, undefined)))).toBe(ChangeType.LostAttribute);
  });

  it('has the original names and numbers', () => {
    expect(Object.entries(ChangeType)).toEqual([
      ['NoMajorChange', 0], ['IDiagStateChange', 1], ['NoTCPInfo', 2], ['NewAttribute', 3], ['LostAttribute', 4],
      ['AttributeLength', 5], ['StateOrCounterChange', 6], ['PacketCountChange', 7], ['PreviousWasNil', 8], ['Other', 9],
    ]);
    expect(ArchivalRecord.fromMessage(prev, GoTime.ZERO)!.compare(undefined)).toBe(ChangeType.PreviousWasNil);
  });

  it('refuses malformed payloads and records with NetlinkParseError', () => {
    expect(() => comparePayloads(prev, prev.subarray(0, 71))).toThrow(NetlinkParseError);
    const overrun = Buffer.from(prev);
    overrun.writeUInt16LE(2000, 72);
    expect(() => comparePayloads(prev, overrun)).toThrow(expect.objectContaining({ code: 'ATTRIBUTE_OVERRUN' }));
    expect(() => compareAttributeLists(new Uint8Array(10), [], idm, [])).toThrow(expect.objectContaining({ code: 'BAD_RECORD' }));
    expect(() => new ArchivalRecord({}).compare(new ArchivalRecord({}))).toThrow(NetlinkParseError);
  });
});

describe('the raw comparison agrees with the record comparison', () => {
  it('on every pair of messages recorded by the original', () => {
    const payloads = loadRawPayloads();
    const seen = new Set<ChangeType>();
    // Pairs of different sockets stand in for snapshots that differ in many ways.
    for (let i = 0; i < payloads.length; i++) {
      for (const step of [1, 7, 101]) seen.add(compareAll(payloads[i]!, payloads[(i + step) % payloads.length]!));
    }
    for (const p of payloads) expect(comparePayloads(p, Buffer.from(p))).toBe(ChangeType.NoMajorChange);
    // All 420 sockets are ESTABLISHED with tcp_info, so distinct sockets differ in their counters.
    expect([...seen]).toEqual([ChangeType.StateOrCounterChange]);
  });

  it('on random mutations of a 6.18 message', () => {
    const { idm, attrs } = base();
    const prev = buildPayload(idm, attrs);
    const mutation = fc.record({
      state: fc.constantFrom(1, 1, 1, 4),
      flips: fc.array(fc.tuple(fc.integer({ min: 0, max: 279 }), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
      infoLength: fc.constantFrom(280, 280, 232, 160, 100, 40),
      drop: fc.subarray([1, 2, 4, 5, 7, 8, 15, 16, 17, 21, 22], { maxLength: 2 }),
      add: fc.array(fc.tuple(fc.integer({ min: 0, max: 45 }), fc.uint8Array({ maxLength: 12 })), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(mutation, (m) => {
        const info = tcpInfo(m.infoLength);
        for (const [at, x] of m.flips) if (at < info.length) info[at] = info[at]! ^ x;
        let cur = replace(attrs, 2, info).filter(([t]) => !m.drop.includes(t));
        cur = [...cur, ...m.add];
        compareAll(prev, buildPayload(buildIdm({ state: m.state }), cur));
        compareAll(buildPayload(buildIdm({ state: m.state }), cur), prev);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('keeping the older snapshot when nothing changed', () => {
  // The daemon may keep its cached copy instead of copying every idle socket's
  // message each cycle: when prev → cur is NoMajorChange, every byte a rule reads
  // is equal in both, so the next comparison gives the same answer either way.
  it('compare(prev, next) === compare(cur, next) whenever compare(prev, cur) is NoMajorChange', () => {
    const { idm, attrs } = base();
    const prev = buildPayload(idm, attrs);
    const infoAt = prev.indexOf(tcpInfo().subarray(0, 16));
    const ignored = [52, 53, 54, 55, ...Array.from({ length: 16 }, (_, i) => infoAt + 44 + i), ...Array.from({ length: 112 }, (_, i) => infoAt + 168 + i)];
    const anyByte = fc.integer({ min: 0, max: prev.length - 1 });
    const edits = (positions: fc.Arbitrary<number>) => fc.array(fc.tuple(positions, fc.integer({ min: 1, max: 255 })), { maxLength: 4 });
    const apply = (from: Buffer, changes: [number, number][]) => {
      const out = Buffer.from(from);
      for (const [at, x] of changes) out[at] = out[at]! ^ x;
      return out;
    };
    let idleCount = 0;
    fc.assert(
      fc.property(edits(fc.oneof(fc.constantFrom(...ignored), anyByte)), edits(fc.oneof(fc.constantFrom(...ignored), anyByte)), (a, b) => {
        const cur = apply(prev, a);
        let change: ChangeType;
        try {
          change = comparePayloads(prev, cur);
        } catch {
          return; // an edit broke an attribute header
        }
        if (change !== ChangeType.NoMajorChange) return;
        idleCount++;
        const next = apply(cur, b);
        let viaPrev: ChangeType | string;
        let viaCur: ChangeType | string;
        try {
          viaPrev = comparePayloads(prev, next);
        } catch (err) {
          viaPrev = (err as NetlinkParseError).code;
        }
        try {
          viaCur = comparePayloads(cur, next);
        } catch (err) {
          viaCur = (err as NetlinkParseError).code;
        }
        expect(viaPrev).toBe(viaCur);
      }),
      { numRuns: 3000 },
    );
    expect(idleCount).toBeGreaterThan(500);
  });
});
