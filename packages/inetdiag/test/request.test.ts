import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, buildInetDiagReqV2, InetDiagParseError } from '../src/index.js';

describe('inet_diag_req_v2 (SPEC §1)', () => {
  it.each([
    [AF_INET6, 10],
    [AF_INET, 2],
  ])('family %i: 56 bytes, TCP, ext 0xff, states without SYN_RECV/TIME_WAIT/CLOSE, zero sockid', (family, byte) => {
    const req = buildInetDiagReqV2({ family });
    const expected = new Uint8Array(56);
    expected.set([byte, 6, 0xff, 0, 0x37, 0x0f, 0, 0]); // 0xfff & ~0xc8 = 0xf37, little-endian
    expect(req).toEqual(expected);
  });
  it('takes explicit fields and a socket id', () => {
    const id = new Uint8Array(48).fill(7);
    const req = buildInetDiagReqV2({ family: AF_INET, protocol: 17, ext: 2, states: 1 << 10, id });
    expect([...req.subarray(0, 8)]).toEqual([2, 17, 2, 0, 0, 4, 0, 0]);
    expect(req.subarray(8)).toEqual(id);
  });
  it('refuses other families and wrong socket ids', () => {
    expect(() => buildInetDiagReqV2({ family: 1 })).toThrow(InetDiagParseError);
    expect(() => buildInetDiagReqV2({ family: AF_INET, id: new Uint8Array(3) })).toThrow(InetDiagParseError);
  });
});
