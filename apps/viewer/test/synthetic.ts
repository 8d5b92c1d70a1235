import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { readRecords } from '@tcpinfo/parse';
import { TCP_INFO_FIELDS } from '@tcpinfo/tcp';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const NDT = `${FIXTURES}ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst`;
export const FINWAIT2 = `${FIXTURES}finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst`;
export const ARCHIVE = `${FIXTURES}archiveRecords.jsonl.zst`;

const offsetOf = (name: string) => TCP_INFO_FIELDS.find((f) => f.name === name)!.offset;

/** What {@link writeLongConnection} put into the file, per snapshot. */
export interface SyntheticTruth {
  readonly rttUsec: number[];
  readonly bytesAcked: bigint[];
}

/**
 * Writes a connection file of `n` snapshots 10 ms apart (plain JSONL): the
 * NDT fixture's header and first snapshot, with rtt and bytes_acked changed in
 * each copy (rtt a saw-tooth with one spike, bytes_acked +14,480 per snapshot),
 * so tests know every exact value and the file is far longer than a chart is wide.
 */
export async function writeLongConnection(path: string, n: number): Promise<SyntheticTruth> {
  const records: ArchivalRecord[] = [];
  for await (const { record } of readRecords(NDT)) {
    records.push(record);
    if (records.length === 2) break;
  }
  const [header, base] = records as [ArchivalRecord, ArchivalRecord];
  const start = base.timestamp.unixNanos;
  const lines = [header.toJSONLine()];
  const truth: SyntheticTruth = { rttUsec: [], bytesAcked: [] };
  for (let i = 0; i < n; i++) {
    const attributes = base.attributes!.map((a) => (a === null ? null : Uint8Array.from(a)));
    const info = Buffer.from(attributes[2]!.buffer);
    const rtt = i === Math.floor(n / 3) ? 900_000 : 20_000 + (i % 500) * 37;
    const acked = BigInt(i) * 14_480n;
    info.writeUInt32LE(rtt, offsetOf('rtt'));
    info.writeBigUInt64LE(acked, offsetOf('bytesAcked'));
    truth.rttUsec.push(rtt);
    truth.bytesAcked.push(acked);
    lines.push(new ArchivalRecord({ timestamp: GoTime.fromUnixNanos(start + BigInt(i) * 10_000_000n), rawIdm: base.rawIdm!, attributes }).toJSONLine());
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return truth;
}
