import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { originalBit, readConnection, readLines, readRecords, readSnapshots, TcpInfoReadError } from '../src/index.js';

const fx = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const NDT = fx('ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst');
const FIN = fx('finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst');

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('readers', () => {
  it('read the same records from a .zst path, a stream and a plain buffer', async () => {
    const plain = decompress(readFileSync(NDT));
    const a = await collect(readRecords(NDT));
    const b = await collect(readRecords(createReadStream(NDT)));
    const c = await collect(readRecords(plain));
    expect(a.length).toBe(plain.toString().trim().split('\n').length);
    expect(b.map((r) => r.record.toJSONLine())).toEqual(a.map((r) => r.record.toJSONLine()));
    expect(c.map((r) => r.record.toJSONLine())).toEqual(a.map((r) => r.record.toJSONLine()));
    expect(a[1]!.line).toMatchObject({ number: 2, source: NDT });
  });

  it('split lines across any chunking, CRLF included', async () => {
    const text = '{"Timestamp":"0001-01-01T00:00:00Z"}\r\n\n{"Timestamp":"2019-04-02T14:12:37.511Z"}';
    for (const size of [1, 2, 7, 1000]) {
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(Buffer.from(text.slice(i, i + size)));
      const { Readable } = await import('node:stream');
      const lines = await collect(readLines(Readable.from(chunks)));
      expect(lines.map((l) => [l.number, l.text])).toEqual([
        [1, '{"Timestamp":"0001-01-01T00:00:00Z"}'],
        [3, '{"Timestamp":"2019-04-02T14:12:37.511Z"}'],
      ]);
    }
  });

  it('refuse over-long lines, naming the line', async () => {
    await expect(collect(readLines(Buffer.from('a\n' + 'x'.repeat(100) + '\n'), { maxLineLength: 50 }))).rejects.toThrow(
      expect.objectContaining({ code: 'LINE_TOO_LONG', line: 2 }),
    );
  });

  it('name source and line for a bad record, or skip it with onInvalid', async () => {
    const bad = Buffer.from('{"Timestamp":"0001-01-01T00:00:00Z"}\n{"RawIDM":"!!"}\n');
    await expect(collect(readRecords(bad, { sourceName: 'x.jsonl' }))).rejects.toThrow(/^x\.jsonl:2: not an ArchivalRecord/);
    const errors: TcpInfoReadError[] = [];
    const ok = await collect(readRecords(bad, { onInvalid: (e) => errors.push(e) }));
    expect(ok).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BAD_RECORD', line: 2 });
  });
});

describe('snapshots and connections', () => {
  it('decode a connection file: metadata, typed fields and a summary', async () => {
    const conn = await readConnection(NDT);
    expect(conn.metadata?.UUID).toBe('ndt-jdczh_1553815964_00000000000003E8');
    expect(conn.metadata?.Sequence).toBe(183);
    const last = conn.snapshots.at(-1)!;
    expect(last.idm?.id.cookieHex).toBe('00000000000003E8');
    expect(last.congestionAlgorithm).toBe('cubic');
    expect(typeof last.tcpInfo?.bytesAcked).toBe('bigint');
    const s = conn.summary;
    expect(s.snapshots).toBe(conn.snapshots.length);
    expect(s.start?.toString()).toBe(conn.snapshots[0]!.timestamp.toString());
    expect(s.durationNanos).toBe(last.timestamp.unixNanos - conn.snapshots[0]!.timestamp.unixNanos);
    expect(s.bytesAcked).toBe(last.tcpInfo!.bytesAcked);
    expect(s.minRttUsec).toBeGreaterThan(0);
    expect(s.congestionAlgorithm).toBe('cubic');
  });

  it('a snapshot without INET_DIAG_INFO has no tcpInfo and Observed 0 when it has no attributes', async () => {
    const all = await collect(readSnapshots(FIN));
    const last = all.at(-1)!.snapshot;
    expect(last.tcpInfo).toBeUndefined();
    expect(last.observed).toBe(0);
    expect(last.timestamp.toString()).toMatch(/-04:00$/);
  });

  it("uses the original's bits: none for type 0 or above 32", () => {
    expect(originalBit(1)).toBe(1);
    expect(originalBit(2)).toBe(2);
    expect(originalBit(32)).toBe(0x80000000);
    expect(originalBit(0)).toBe(0);
    expect(originalBit(33)).toBe(0);
  });
});
