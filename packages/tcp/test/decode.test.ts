import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_INFO_FIELDS, decodeTcpInfo, readTcpInfoField, toSigned64, toSignedAsOriginal } from '../src/index.js';

/** A tcp_info value with chosen bytes at offsets taken from the kernel header, not from our table. */
function handBuilt(length: number): Uint8Array {
  const b = Buffer.alloc(length);
  b[0] = 1; // tcpi_state ESTABLISHED
  b[6] = 0x97; // snd_wscale 7, rcv_wscale 9
  b[7] = 0x05; // app_limited 1, fastopen_client_fail 2
  if (length >= 12) b.writeUInt32LE(204000, 8); // tcpi_rto
  if (length >= 84) b.writeUInt32LE(10, 80); // tcpi_snd_cwnd
  if (length >= 112) b.fill(0xff, 104, 112); // tcpi_pacing_rate = ~0
  if (length >= 128) b.writeBigUInt64LE(123456789012345n, 120); // tcpi_bytes_acked
  if (length >= 232) b.writeUInt32LE(65535, 228); // tcpi_snd_wnd
  if (length >= 236) b.writeUInt32LE(131072, 232); // tcpi_rcv_wnd
  if (length >= 242) b.writeUInt16LE(3, 240); // tcpi_total_rto
  if (length >= 280) b.writeUInt16LE(0x1234, 278); // tcpi_accecn_opt_seen
  return b;
}

describe('decodeTcpInfo', () => {
  it('decodes a full Linux 6.18 value (280 bytes)', () => {
    const info = decodeTcpInfo(handBuilt(280));
    expect(info).toMatchObject({ length: 280, partial: false, longer: false });
    expect(info.state).toBe(1);
    expect(info.wscale).toBe(0x97);
    expect(info.sndWscale).toBe(7);
    expect(info.rcvWscale).toBe(9);
    expect(info.appLimited).toBe(5);
    expect(info.deliveryRateAppLimited).toBe(1);
    expect(info.fastopenClientFail).toBe(2);
    expect(info.rto).toBe(204000);
    expect(info.sndCwnd).toBe(10);
    expect(info.pacingRate).toBe(0xffffffffffffffffn);
    expect(toSigned64(info.pacingRate!)).toBe(-1n);
    expect(info.bytesAcked).toBe(123456789012345n);
    expect(info.sndWnd).toBe(65535);
    expect(info.rcvWnd).toBe(131072);
    expect(info.totalRto).toBe(3);
    expect(info.accecnOptSeen).toBe(0x1234);
  });

  it("decodes the original's 232-byte value as partial, newer fields absent", () => {
    const info = decodeTcpInfo(handBuilt(232));
    expect(info).toMatchObject({ length: 232, partial: true, longer: false, sndWnd: 65535 });
    expect(info.rcvWnd).toBeUndefined();
    expect('accecnOptSeen' in info).toBe(false);
  });

  it('a value ending inside a field leaves that field absent', () => {
    const info = decodeTcpInfo(handBuilt(280).subarray(0, 110));
    expect(info.totalRetrans).toBeDefined(); // 100..104
    expect(info.pacingRate).toBeUndefined(); // 104..112 cut at 110
    expect(info.partial).toBe(true);
  });

  it('a value longer than known decodes the known part and says so', () => {
    const long = Buffer.concat([handBuilt(280), Buffer.alloc(16, 0xee)]);
    const info = decodeTcpInfo(long);
    expect(info).toMatchObject({ length: 296, partial: false, longer: true, accecnOptSeen: 0x1234 });
  });

  it('an empty value decodes to no fields', () => {
    const info = decodeTcpInfo(new Uint8Array(0));
    expect(Object.keys(info).sort()).toEqual(['length', 'longer', 'partial']);
  });

  it('reads from a view with a byte offset (a slice of a datagram)', () => {
    const datagram = Buffer.concat([Buffer.alloc(3, 0xaa), handBuilt(280)]);
    expect(decodeTcpInfo(datagram.subarray(3)).sndCwnd).toBe(10);
    const rto = TCP_INFO_FIELDS.find((f) => f.name === 'rto')!;
    expect(readTcpInfoField(datagram.subarray(3), rto)).toBe(204000);
    expect(readTcpInfoField(datagram.subarray(3, 10), rto)).toBeUndefined();
  });

  it('gives the signed view only where the original uses one', () => {
    const segsOut = TCP_INFO_FIELDS.find((f) => f.name === 'segsOut')!;
    const sndCwnd = TCP_INFO_FIELDS.find((f) => f.name === 'sndCwnd')!;
    const pacing = TCP_INFO_FIELDS.find((f) => f.name === 'pacingRate')!;
    expect(toSignedAsOriginal(segsOut, 0xffffffff)).toBe(-1);
    expect(toSignedAsOriginal(sndCwnd, 0xffffffff)).toBe(0xffffffff);
    expect(toSignedAsOriginal(pacing, 0xfffffffffffffffen)).toBe(-2n);
  });

  it('never throws, and a field is present exactly when it fits (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const info = decodeTcpInfo(bytes) as unknown as Record<string, unknown>;
        for (const f of TCP_INFO_FIELDS) {
          expect(info[f.name] !== undefined).toBe(f.offset + f.size <= bytes.length);
        }
      }),
    );
  });
});

// The original's csvtool printed these CSVs from the JSONL beside them; its TCP.*
// columns are an independent oracle for our offsets and signedness.
describe('agreement with the original csvtool output', () => {
  const fixtures = ['ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', 'archiveRecords.jsonl.zst'];
  it.each(fixtures)('every TCP.* column of %s matches our decoding', (name) => {
    const dir = new URL('./fixtures/', import.meta.url);
    const jsonl = execFileSync('zstd', ['-dc', new URL(name, dir).pathname], { encoding: 'utf8' }).trim().split('\n');
    const csv = readFileSync(new URL(name + '.csv', dir), 'utf8').trim().split('\n');
    const header = csv[0]!.split(',');
    const original = TCP_INFO_FIELDS.filter((f) => f.goColumn !== undefined);
    // Columns by position (the original's header repeats TCP.LastDataRecv).
    const firstTcp = header.indexOf('TCP.State');
    let checked = 0;
    jsonl.forEach((line, i) => {
      const attrs = (JSON.parse(line) as { Attributes?: (string | null)[] }).Attributes;
      const row = csv[i + 1]!.split(',');
      const infoB64 = attrs?.[2];
      if (infoB64 == null) return;
      const value = Buffer.from(infoB64, 'base64');
      const info = decodeTcpInfo(value) as unknown as Record<string, number | bigint | undefined>;
      original.forEach((f, k) => {
        expect(header[firstTcp + k]).toBe(f.goColumn);
        const v = info[f.name];
        // The original zero-extends short values.
        const printed = v === undefined ? '0' : String(toSignedAsOriginal(f, v));
        expect(printed, `${name} line ${i + 1} ${f.goColumn}`).toBe(row[firstTcp + k]);
      });
      checked++;
    });
    expect(checked).toBeGreaterThan(0);
  });
});
