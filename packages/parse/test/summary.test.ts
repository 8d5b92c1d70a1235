import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GoTime, type Metadata } from '@tcpinfo/netlink';
import { readSnapshots, summarize, SummaryBuilder, type Snapshot } from '../src/index.js';

const fx = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const FILES = [
  fx('ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst'),
  fx('finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst'),
  fx('archiveRecords.jsonl.zst'),
];

describe('SummaryBuilder', () => {
  it.each(FILES)('folded while reading, equals summarize over the whole file: %s', async (path) => {
    const builder = new SummaryBuilder();
    const snapshots: Snapshot[] = [];
    let metadata: Metadata | undefined;
    for await (const { metadata: m, snapshot } of readSnapshots(path)) {
      if (m !== undefined) {
        metadata ??= m;
        continue;
      }
      builder.add(snapshot);
      snapshots.push(snapshot);
    }
    const expected = summarize(snapshots, metadata);
    expect(builder.result(metadata)).toEqual(expected);
    // summarize is built on SummaryBuilder: check the folded fields against the snapshots directly too.
    const last = <T>(f: (s: Snapshot) => T | undefined) => snapshots.map(f).filter((v) => v !== undefined).at(-1);
    const minRtts = snapshots.map((s) => s.tcpInfo?.minRtt ?? 0).filter((v) => v > 0);
    expect(expected).toEqual({
      snapshots: snapshots.length,
      start: snapshots[0]!.timestamp,
      end: snapshots.at(-1)!.timestamp,
      durationNanos: snapshots.at(-1)!.timestamp.unixNanos - snapshots[0]!.timestamp.unixNanos,
      ...(minRtts.length > 0 ? { minRttUsec: Math.min(...minRtts) } : {}),
      ...Object.fromEntries(
        Object.entries({
          bytesSent: last((s) => s.tcpInfo?.bytesSent),
          bytesReceived: last((s) => s.tcpInfo?.bytesReceived),
          bytesAcked: last((s) => s.tcpInfo?.bytesAcked),
          retransmissions: last((s) => s.tcpInfo?.totalRetrans),
          congestionAlgorithm: last((s) => s.congestionAlgorithm),
        }).filter(([, v]) => v !== undefined),
      ),
    });
    expect(expected.retransmissions).toBeDefined();
    // Every prefix agrees too.
    const prefix = new SummaryBuilder();
    for (let i = 0; i < snapshots.length; i++) {
      prefix.add(snapshots[i]!);
      if (i % 17 === 0) expect(prefix.result(metadata)).toEqual(summarize(snapshots.slice(0, i + 1), metadata));
    }
  });

  it('a result is a value: adding more snapshots afterwards leaves it unchanged', () => {
    const at = (ns: bigint, bytesAcked: bigint) => ({ timestamp: GoTime.fromUnixNanos(ns), tcpInfo: { bytesAcked } }) as unknown as Snapshot;
    const builder = new SummaryBuilder().add(at(1_000n, 10n));
    const first = builder.result();
    builder.add(at(3_000n, 30n));
    expect(first).toMatchObject({ snapshots: 1, durationNanos: 0n, bytesAcked: 10n });
    expect(builder.result()).toMatchObject({ snapshots: 2, durationNanos: 2_000n, bytesAcked: 30n });
  });

  it('without snapshots: the header\'s start time, no duration', () => {
    const metadata = { UUID: 'u', Sequence: 0, StartTime: GoTime.fromUnixNanos(5n) } as unknown as Metadata;
    expect(new SummaryBuilder().result(metadata)).toEqual({ snapshots: 0, start: metadata.StartTime });
    expect(new SummaryBuilder().result()).toEqual(summarize([]));
  });
});
