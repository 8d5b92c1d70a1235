import { describe, expect, it } from 'vitest';
import {
  readConnection, readSnapshots, snapshotToJson, toPlainJson,
  type BbrInfo, type GoTime, type InetDiagMsg, type Metadata, type Snapshot, type TcpInfo,
} from '../src/index.js';

// JSON of decoded values: one rule (bigints as numbers when exact, addresses as
// text), for --format=jsonl and summaries; and the types a signature mentions
// are importable from the package.

const NDT = new URL('../../../../shared/testdata/ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', import.meta.url).pathname;

describe('JSON of snapshots and summaries', () => {
  it('JSON.stringify(summary) works: bigints as numbers when exact, times as text', async () => {
    const { summary } = await readConnection(NDT);
    const json = JSON.parse(JSON.stringify(summary)) as Record<string, unknown>;
    expect(json.bytesAcked).toBe(Number(summary.bytesAcked));
    expect(typeof json.durationNanos).toBe('number');
    expect(json.start).toBe(summary.start!.toString());
    expect(Object.keys(summary)).not.toContain('toJSON'); // not an enumerable field
  });

  it('a snapshot: addresses as their text, no Buffer JSON, 64-bit values as numbers when exact', async () => {
    const lines: string[] = [];
    for await (const { metadata, snapshot } of readSnapshots(NDT)) lines.push(snapshotToJson(metadata, snapshot));
    expect(lines.join('\n')).not.toMatch(/"type":"Buffer"|srcBytes|dstBytes/);
    const row = JSON.parse(lines[1]!) as { idm: { id: { src: string; dst: string; cookie: unknown } }; tcpInfo: { bytesAcked: unknown } };
    expect(row.idm.id.src).toBe('192.168.14.134');
    expect(row.idm.id.cookie).toBe(1000);
    expect(typeof row.tcpInfo.bytesAcked).toBe('number');
  });

  it('the rule at the edge: 2^53 is a number, 2^53 + 1 a string (it would not be exact)', () => {
    expect(toPlainJson({ a: 2n ** 53n, b: 2n ** 53n + 1n, c: -(2n ** 53n) - 1n, d: new Uint8Array([1, 2]) })).toEqual({
      a: 2 ** 53,
      b: '9007199254740993',
      c: '-9007199254740993',
      d: 'AQI=',
    });
  });

  it('exports the types its signatures mention', async () => {
    const { metadata, snapshots } = await readConnection(NDT);
    const m: Metadata | undefined = metadata;
    const s: Snapshot = snapshots[0]!;
    const t: GoTime = s.timestamp;
    const info: TcpInfo | undefined = s.tcpInfo;
    const idm: InetDiagMsg | undefined = s.idm;
    const bbr: BbrInfo | undefined = s.bbrInfo;
    expect([m?.UUID, typeof t.unixNanos, info?.rtt !== undefined, idm?.family, bbr]).toEqual(['ndt-jdczh_1553815964_00000000000003E8', 'bigint', true, 10, undefined]);
  });
});
