import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBbrInfo,
  decodeCongestion,
  decodeDctcpInfo,
  decodeInetDiagMsg,
  decodeMemInfo,
  decodeSkMemInfo,
  decodeSockOpt,
  decodeU32,
  decodeU64,
  decodeU8,
  decodeVegasInfo,
  inetDiagAttrName,
  InetDiagParseError,
  readCookie,
} from '../src/index.js';

describe('attribute structs', () => {
  it('MemInfo: short values are zero-extended, longer ones flagged', () => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(100, 0);
    b.writeUInt32LE(200, 4);
    expect(decodeMemInfo(b)).toEqual({ rmem: 100, wmem: 200, fmem: 0, tmem: 0, length: 8, longer: false });
    expect(decodeMemInfo(Buffer.alloc(20)).longer).toBe(true);
  });
  it('SKMemInfo has the 9 SK_MEMINFO_* values of current kernels', () => {
    const b = Buffer.alloc(36);
    for (let i = 0; i < 9; i++) b.writeUInt32LE(i + 1, 4 * i);
    const s = decodeSkMemInfo(b);
    expect([s.rmemAlloc, s.rcvbuf, s.wmemAlloc, s.sndbuf, s.fwdAlloc, s.wmemQueued, s.optmem, s.backlog, s.drops]).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(s.longer).toBe(false);
  });
  it('BBR: 64-bit bandwidth from lo/hi words, 20-byte kernel value is complete', () => {
    const b = Buffer.alloc(20);
    b.writeUInt32LE(0x89abcdef, 0);
    b.writeUInt32LE(0x01234567, 4);
    b.writeUInt32LE(12000, 8);
    b.writeUInt32LE(739, 12);
    b.writeUInt32LE(512, 16);
    expect(decodeBbrInfo(b)).toMatchObject({ bw: 0x0123456789abcdefn, minRttUsec: 12000, pacingGain: 739, cwndGain: 512, longer: false });
  });
  it('DCTCP and Vegas', () => {
    const d = Buffer.alloc(16);
    d.writeUInt16LE(1, 0);
    d.writeUInt16LE(2, 2);
    d.writeUInt32LE(1024, 4);
    expect(decodeDctcpInfo(d)).toMatchObject({ enabled: 1, ceState: 2, alpha: 1024, abEcn: 0, abTot: 0 });
    const v = Buffer.alloc(16);
    v.writeUInt32LE(1, 0);
    v.writeUInt32LE(5000, 8);
    expect(decodeVegasInfo(v)).toMatchObject({ enabled: 1, rttUsec: 5000 });
  });
  it('SOCKOPT bits', () => {
    const s = decodeSockOpt(Uint8Array.from([0b00000011, 0b00000101]));
    expect(s).toMatchObject({ recverr: true, isIcsk: true, freebind: false, bindAddressNoPort: true, recverrRfc4884: false, deferConnect: true });
  });
  it('scalars and strings', () => {
    expect(decodeCongestion(Buffer.from('bbr\0'))).toBe('bbr');
    expect(decodeCongestion(Buffer.from('cubic'))).toBe('cubic');
    expect(decodeU8(Uint8Array.from([3, 9]))).toBe(3);
    expect(decodeU8(new Uint8Array(0))).toBe(0);
    expect(decodeU32(Uint8Array.from([1, 2, 3, 4]))).toBe(0x04030201);
    expect(decodeU32(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toBe(0xffffffff);
    expect(decodeU64(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0x80]))).toBe(0x8000000000000001n);
  });
  it('attribute names', () => {
    expect(inetDiagAttrName(2)).toBe('INET_DIAG_INFO');
    expect(inetDiagAttrName(22)).toBe('INET_DIAG_SOCKOPT');
    expect(inetDiagAttrName(40)).toBe('INET_DIAG_UNKNOWN_40');
  });
});

describe('inet_diag_msg', () => {
  it('refuses fewer than 72 bytes with the documented error', () => {
    expect(() => decodeInetDiagMsg(new Uint8Array(71))).toThrow(InetDiagParseError);
    expect(() => readCookie(new Uint8Array(51))).toThrow(InetDiagParseError);
  });
  it('cookies are exact 64-bit values', () => {
    const b = Buffer.alloc(72);
    b.writeBigUInt64LE(0xfedcba9876543210n, 44);
    const m = decodeInetDiagMsg(b);
    expect(m.id.cookie).toBe(0xfedcba9876543210n);
    expect(m.id.cookieHex).toBe('FEDCBA9876543210');
    expect(readCookie(b)).toBe(0xfedcba9876543210n);
  });
});

describe('random and truncated bytes (property)', () => {
  const decoders: [string, (b: Uint8Array) => unknown][] = [
    ['inet_diag_msg', decodeInetDiagMsg],
    ['meminfo', decodeMemInfo],
    ['skmeminfo', decodeSkMemInfo],
    ['vegas', decodeVegasInfo],
    ['dctcp', decodeDctcpInfo],
    ['bbr', decodeBbrInfo],
    ['sockopt', decodeSockOpt],
    ['cong', decodeCongestion],
    ['u8', decodeU8],
    ['u32', decodeU32],
    ['u64', decodeU64],
  ];
  it.each(decoders)('%s yields a value or InetDiagParseError, nothing else', (_name, decode) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(8), (bytes, offset) => {
        const view = bytes.subarray(Math.min(offset, bytes.length));
        try {
          decode(view);
        } catch (err) {
          expect(err).toBeInstanceOf(InetDiagParseError);
        }
      }),
    );
  });
});
