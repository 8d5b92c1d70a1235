import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rtattr } from '@tcpinfo/testing';
import { attributes, encodeMessage, forEachMessage, messages, NetlinkParseError, payloadErrno } from '../src/index.js';

/** A netlink message built byte by byte (header fields chosen by the test). */
function nlmsg(type: number, payload: Uint8Array, { flags = 2, seq = 7, pid = 99, len }: { flags?: number; seq?: number; pid?: number; len?: number } = {}): Buffer {
  const total = 16 + payload.length;
  const b = Buffer.alloc((total + 3) & ~3);
  b.writeUInt32LE(len ?? total, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  b.writeUInt32LE(pid, 12);
  b.set(payload, 16);
  return b;
}

const rta = rtattr;

describe('forEachMessage / messages', () => {
  it('splits a datagram holding several messages, each padded to 4 bytes', () => {
    const d = Buffer.concat([nlmsg(20, Buffer.from('abc')), nlmsg(20, Buffer.from('defgh'), { seq: 8 }), nlmsg(3, Buffer.alloc(4))]);
    const got = [...messages(d)];
    expect(got.map((m) => [m.header.type, m.header.seq, m.payload.toString('latin1')])).toEqual([
      [20, 7, 'abc'],
      [20, 8, 'defgh'],
      [3, 7, '\0\0\0\0'],
    ]);
    expect(got[0]!.header).toMatchObject({ length: 19, flags: 2, pid: 99 });
  });

  it('gives views into the datagram, not copies', () => {
    const d = nlmsg(20, Buffer.from('xyz'));
    forEachMessage(d, (_t, _f, _s, _p, payload) => {
      expect(payload.buffer).toBe(d.buffer);
    });
  });

  it.each([
    ['a header cut short', Buffer.from([20, 0, 0, 0, 20, 0]), 'TRUNCATED_HEADER'],
    ['a length shorter than the header', nlmsg(20, Buffer.alloc(4), { len: 8 }), 'BAD_LENGTH'],
    ['a length past the end', nlmsg(20, Buffer.alloc(4), { len: 400 }), 'BAD_LENGTH'],
    ['a zero length (would loop forever)', nlmsg(20, Buffer.alloc(4), { len: 0 }), 'BAD_LENGTH'],
  ])('refuses %s with NetlinkParseError', (_name, d, code) => {
    expect(() => forEachMessage(d, () => {})).toThrow(expect.objectContaining({ name: 'NetlinkParseError', code }));
  });

  it('delivers the messages before a malformed one, and stays usable', () => {
    const good = nlmsg(20, Buffer.from('ok'));
    const seen: string[] = [];
    expect(() => forEachMessage(Buffer.concat([good, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])]), (_t, _f, _s, _p, p) => seen.push(p.toString()))).toThrow(
      NetlinkParseError,
    );
    expect(seen).toEqual(['ok']);
    expect(forEachMessage(good, () => {})).toBe(1);
  });

  it('encodeMessage round-trips and the errno helper reads NLMSG_ERROR payloads', () => {
    const m = encodeMessage(20, 0x301, 42, 1234, Uint8Array.from([1, 2, 3]));
    expect(m.length).toBe(20);
    const [msg] = [...messages(m)];
    expect(msg!.header).toEqual({ length: 19, type: 20, flags: 0x301, seq: 42, pid: 1234 });
    const err = Buffer.alloc(4);
    err.writeInt32LE(-105, 0);
    expect(payloadErrno(err)).toBe(105);
    expect(payloadErrno(Buffer.alloc(2))).toBe(0);
  });
});

describe('attributes', () => {
  const idm = Buffer.alloc(72);
  it('walks attributes after the 72-byte inet_diag_msg, values unpadded', () => {
    const p = Buffer.concat([idm, rta(4, Buffer.from('bbr\0')), rta(5, Buffer.from([7])), rta(21, Buffer.alloc(8, 1)), rta(3, Buffer.alloc(0))]);
    expect([...attributes(p, 72)].map((a) => [a.type, a.value.length])).toEqual([
      [4, 4],
      [5, 1],
      [21, 8],
      [3, 0],
    ]);
  });
  it('ignores fewer than 4 trailing bytes', () => {
    expect([...attributes(Buffer.concat([idm, rta(5, Buffer.from([1])), Buffer.from([0, 0])]), 72)]).toHaveLength(1);
  });
  it.each([
    ['a length past the end', rta(2, Buffer.alloc(4), 200)],
    ['a length shorter than its header', rta(2, Buffer.alloc(4), 2)],
  ])('refuses %s', (_name, bad) => {
    expect(() => [...attributes(Buffer.concat([idm, bad]), 72)]).toThrow(expect.objectContaining({ code: 'ATTRIBUTE_OVERRUN' }));
  });
  it('bounds the number of attributes', () => {
    const many = Buffer.concat(Array.from({ length: 10 }, () => rta(1, Buffer.alloc(0))));
    expect(() => [...attributes(many, 0, { maxAttributes: 5 })]).toThrow(expect.objectContaining({ code: 'TOO_MANY_ATTRIBUTES' }));
  });
});

describe('random and truncated bytes (property)', () => {
  it('framing yields messages or NetlinkParseError, never anything else, never hangs', () => {
    const valid = Buffer.concat([nlmsg(20, Buffer.concat([idm72(), rta(2, Buffer.alloc(280, 3))])), nlmsg(3, Buffer.alloc(4))]);
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.nat(valid.length).map((n) => valid.subarray(0, n)), fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
          const c = Buffer.from(valid);
          c[i] = v;
          return c;
        })),
        (bytes) => {
          try {
            for (const m of messages(bytes)) for (const _a of attributes(m.payload, Math.min(72, m.payload.length))) void _a;
          } catch (err) {
            expect(err).toBeInstanceOf(NetlinkParseError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function idm72(): Buffer {
  return Buffer.alloc(72);
}
