import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTcpInfo, SIZEOF_TCP_INFO_KNOWN, TCP_INFO_FIELDS, tcpInfoOnAccess } from '../src/index.js';

// tcpInfoOnAccess decodes a field when it is read; decodeTcpInfo decodes all
// of them at once. Both must agree on every value of every length.

const names = ['length', 'partial', 'longer', ...TCP_INFO_FIELDS.map((f) => f.name)];
const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

describe('tcpInfoOnAccess', () => {
  it('gives decodeTcpInfo\'s value for every field, in any order, for values of any length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: SIZEOF_TCP_INFO_KNOWN + 40 }),
        fc.nat(16),
        fc.shuffledSubarray(names, { minLength: 1 }),
        (bytes, pad, order) => {
          // The value as a view at an odd offset of a larger buffer, as the snapshots hold it.
          const host = new Uint8Array(bytes.length + pad + 3);
          host.set(bytes, pad);
          const value = host.subarray(pad, pad + bytes.length);
          const eager = decodeTcpInfo(value) as Record<string, unknown>;
          const lazy = tcpInfoOnAccess(value) as Record<string, unknown>;
          for (const n of order) expect(lazy[n]).toStrictEqual(eager[n]);
          expect(JSON.stringify(lazy, replacer)).toBe(JSON.stringify(eager, replacer));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a field beyond the end of a short value is undefined', () => {
    const lazy = tcpInfoOnAccess(new Uint8Array(8));
    expect(lazy.state).toBe(0);
    expect(lazy.bytesAcked).toBeUndefined();
    expect(lazy.partial).toBe(true);
  });
});
