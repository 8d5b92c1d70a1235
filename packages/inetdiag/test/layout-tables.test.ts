import { SIZEOF_TCP_INFO_ORIGINAL } from '@tcpinfo/tcp';
import { describe, expect, it } from 'vitest';
import * as inetdiag from '../src/index.js';
import {
  decodeInetDiagMsg,
  INET_DIAG_ATTRIBUTES,
  INET_DIAG_MAX_KNOWN,
  INET_DIAG_MSG_FIELDS,
  inetDiagAttribute,
  originalParsesFully,
  SIZEOF_BBRINFO_ORIGINAL,
  SIZEOF_DCTCPINFO,
  SIZEOF_INET_DIAG_MSG,
  SIZEOF_MEMINFO,
  SIZEOF_SKMEMINFO,
  SIZEOF_VEGASINFO,
} from '../src/index.js';

const constants = inetdiag as unknown as Record<string, unknown>;

describe('struct inet_diag_msg field table', () => {
  it('tiles the 72 bytes in kernel order without a gap, each field naturally aligned', () => {
    let next = 0;
    for (const f of INET_DIAG_MSG_FIELDS) {
      expect(f.offset, f.kernelName).toBe(next);
      expect(f.offset % Math.min(f.size, 4), `${f.kernelName} alignment`).toBe(0);
      next = f.offset + f.size;
    }
    expect(next).toBe(SIZEOF_INET_DIAG_MSG);
  });

  it('every IDIAG_*_OFFSET constant names a field of the table (the cookie halves at 44 and 48)', () => {
    const named = Object.entries(constants).filter(([k]) => /^IDIAG_.*_OFFSET$/.test(k));
    const offsets = new Set(INET_DIAG_MSG_FIELDS.map((f) => f.offset));
    for (const [name, offset] of named) expect(offsets.has(offset as number) || name === 'IDIAG_COOKIE_HI_OFFSET', name).toBe(true);
    expect(named.length).toBe(INET_DIAG_MSG_FIELDS.length + 2);
    expect([constants.IDIAG_COOKIE_LO_OFFSET, constants.IDIAG_COOKIE_HI_OFFSET, constants.IDIAG_EXPIRES_OFFSET]).toEqual([44, 48, 52]);
  });

  it('decodeInetDiagMsg reads each field where the table says (a distinct byte pattern per field)', () => {
    const b = Buffer.alloc(SIZEOF_INET_DIAG_MSG);
    INET_DIAG_MSG_FIELDS.forEach((f, i) => b.fill(i + 1, f.offset, f.offset + f.size));
    const m = decodeInetDiagMsg(b);
    expect([m.family, m.state, m.timer, m.retrans]).toEqual([1, 2, 3, 4]);
    expect([m.id.sport, m.id.dport]).toEqual([0x0505, 0x0606]);
    expect(m.id.srcBytes.every((x) => x === 7) && m.id.dstBytes.every((x) => x === 8)).toBe(true);
    expect(m.id.interface).toBe(0x09090909);
    expect(m.id.cookie).toBe(0x0a0a0a0a0a0a0a0an);
    expect([m.expires, m.rqueue, m.wqueue, m.uid, m.inode]).toEqual([0x0b, 0x0c, 0x0d, 0x0e, 0x0f].map((x) => x * 0x01010101));
  });
});

describe('inet_diag attribute table', () => {
  it('covers every type 0..INET_DIAG_MAX_KNOWN, in order, with no gap', () => {
    expect(INET_DIAG_ATTRIBUTES.map((a) => a.type)).toEqual(Array.from({ length: INET_DIAG_MAX_KNOWN + 1 }, (_, i) => i));
    expect(inetDiagAttribute(INET_DIAG_MAX_KNOWN + 1)).toBeUndefined();
  });

  it('agrees with the INET_DIAG_* constants, both ways', () => {
    for (const a of INET_DIAG_ATTRIBUTES) expect(constants[a.name], a.name).toBe(a.type);
    const typeConstants = Object.keys(constants).filter((k) => /^INET_DIAG_[A-Z0-9_]+$/.test(k) && typeof constants[k] === 'number');
    const notTypes = new Set(['INET_DIAG_MAX_KNOWN', 'INET_DIAG_EXT_ALL']);
    expect(typeConstants.filter((k) => !notTypes.has(k)).sort()).toEqual(INET_DIAG_ATTRIBUTES.map((a) => a.name).sort());
  });

  it("carries the original's struct sizes", () => {
    const size = (name: string) => INET_DIAG_ATTRIBUTES.find((a) => a.name === name)!.originalSize;
    expect(size('INET_DIAG_MEMINFO')).toBe(SIZEOF_MEMINFO);
    expect(size('INET_DIAG_INFO')).toBe(SIZEOF_TCP_INFO_ORIGINAL);
    expect(size('INET_DIAG_VEGASINFO')).toBe(SIZEOF_VEGASINFO);
    expect(size('INET_DIAG_SKMEMINFO')).toBe(SIZEOF_SKMEMINFO);
    expect(size('INET_DIAG_DCTCPINFO')).toBe(SIZEOF_DCTCPINFO);
    expect(size('INET_DIAG_BBRINFO')).toBe(SIZEOF_BBRINFO_ORIGINAL);
    expect(size('INET_DIAG_MARK')).toBe(4);
    for (const a of INET_DIAG_ATTRIBUTES) {
      if (a.original === 'firstByte') expect(a.originalSize, a.name).toBe(1);
      if (a.original === 'none' || a.original === 'string') expect(a.originalSize, a.name).toBe(0);
    }
  });

  it('decoders never throw, on empty, short and long values, and fields are unique', () => {
    const fields = INET_DIAG_ATTRIBUTES.flatMap((a) => (a.field === undefined ? [] : [a.field]));
    expect(new Set(fields).size).toBe(fields.length);
    for (const a of INET_DIAG_ATTRIBUTES) {
      expect(a.decode === undefined, a.name).toBe(a.field === undefined);
      for (const n of [0, 1, 3, a.originalSize, 300]) expect(() => a.decode?.(new Uint8Array(n).fill(0xab)), `${a.name} of ${n}`).not.toThrow();
    }
  });

  it('a struct row carries the layout its decoder reads: its fields in order, then length and longer', () => {
    for (const a of INET_DIAG_ATTRIBUTES) {
      if (a.struct === undefined) continue;
      expect(a.original, a.name).toBe('struct');
      const value = Uint8Array.from({ length: a.struct.size }, (_, i) => i + 1);
      const decoded = a.decode!(value) as Record<string, unknown>;
      expect(Object.keys(decoded), a.name).toEqual([...a.struct.fields.map((f) => f.name), 'length', 'longer']);
      const view = new DataView(value.buffer);
      for (const f of a.struct.fields) {
        const expected = f.size === 1 ? view.getUint8(f.offset) : f.size === 2 ? view.getUint16(f.offset, true) : f.size === 4 ? view.getUint32(f.offset, true) : view.getBigUint64(f.offset, true);
        expect(decoded[f.name], `${a.name}.${f.name}`).toBe(expected);
      }
      expect((a.decode!(new Uint8Array(a.struct.size + 1)) as { longer: boolean }).longer, a.name).toBe(true);
      expect((a.decode!(value) as { longer: boolean }).longer, a.name).toBe(false);
    }
    expect(INET_DIAG_ATTRIBUTES.filter((a) => a.struct !== undefined).map((a) => a.field)).toEqual(['memInfo', 'vegasInfo', 'skMemInfo', 'dctcpInfo', 'bbrInfo']);
  });

  it("originalParsesFully follows the original's rule per kind", () => {
    expect(originalParsesFully(2, 232)).toBe(true);
    expect(originalParsesFully(2, 280)).toBe(false);
    expect(originalParsesFully(2, 10)).toBe(true); // zero-extended
    expect(originalParsesFully(5, 0)).toBe(false);
    expect(originalParsesFully(5, 3)).toBe(true);
    expect(originalParsesFully(4, 0)).toBe(true);
    expect(originalParsesFully(15, 4)).toBe(true);
    expect(originalParsesFully(15, 8)).toBe(false);
    expect(originalParsesFully(11, 1)).toBe(false);
    expect(originalParsesFully(16, 24)).toBe(true);
    expect(originalParsesFully(16, 28)).toBe(false);
    expect(originalParsesFully(40, 1)).toBe(false);
  });
});
