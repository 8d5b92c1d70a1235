import type { GoTime, Metadata } from '@tcpinfo/netlink';
import type { Input } from './input.js';
import { readSnapshots, type RecordReadOptions } from './readers.js';
import type { Snapshot } from './snapshot.js';

/** What ETL jobs compute first about a connection. */
export interface ConnectionSummary {
  /** First snapshot's timestamp (or the header's StartTime when there is no snapshot). */
  readonly start?: GoTime;
  /** Last snapshot's timestamp. */
  readonly end?: GoTime;
  /** end - start, in nanoseconds. */
  readonly durationNanos?: bigint;
  /** tcpi_bytes_sent of the last snapshot that had it. */
  readonly bytesSent?: bigint;
  /** tcpi_bytes_received, likewise. */
  readonly bytesReceived?: bigint;
  /** tcpi_bytes_acked, likewise. */
  readonly bytesAcked?: bigint;
  /** tcpi_total_retrans, likewise (segments). */
  readonly retransmissions?: number;
  /** Smallest non-zero tcpi_min_rtt seen (µs). */
  readonly minRttUsec?: number;
  /** Last congestion algorithm seen. */
  readonly congestionAlgorithm?: string;
  /** Snapshots (header records excluded). */
  readonly snapshots: number;
}

/** A whole connection file. */
export interface Connection {
  /** Header metadata (the first header record's). */
  readonly metadata?: Metadata;
  readonly snapshots: readonly Snapshot[];
  readonly summary: ConnectionSummary;
}

/** Folds snapshots into a {@link ConnectionSummary}. */
export function summarize(snapshots: readonly Snapshot[], metadata?: Metadata): ConnectionSummary {
  const s: { -readonly [K in keyof ConnectionSummary]: ConnectionSummary[K] } = { snapshots: snapshots.length };
  for (const snap of snapshots) {
    s.start ??= snap.timestamp;
    s.end = snap.timestamp;
    const t = snap.tcpInfo;
    if (t !== undefined) {
      if (t.bytesSent !== undefined) s.bytesSent = t.bytesSent;
      if (t.bytesReceived !== undefined) s.bytesReceived = t.bytesReceived;
      if (t.bytesAcked !== undefined) s.bytesAcked = t.bytesAcked;
      if (t.totalRetrans !== undefined) s.retransmissions = t.totalRetrans;
      if (t.minRtt !== undefined && t.minRtt > 0 && (s.minRttUsec === undefined || t.minRtt < s.minRttUsec)) s.minRttUsec = t.minRtt;
    }
    if (snap.congestionAlgorithm !== undefined) s.congestionAlgorithm = snap.congestionAlgorithm;
  }
  if (s.start === undefined && metadata !== undefined) s.start = metadata.StartTime;
  if (s.start !== undefined && s.end !== undefined) s.durationNanos = s.end.unixNanos - s.start.unixNanos;
  return s;
}

/**
 * Reads a whole connection file (`.jsonl` or `.jsonl.zst`) into memory: its
 * metadata, its snapshots and their summary. For files of any size prefer
 * {@link readSnapshots}.
 */
export async function readConnection(input: Input, options: RecordReadOptions = {}): Promise<Connection> {
  let metadata: Metadata | undefined;
  const snapshots: Snapshot[] = [];
  for await (const { metadata: m, snapshot } of readSnapshots(input, options)) {
    if (m !== undefined) {
      metadata ??= m;
      continue;
    }
    snapshots.push(snapshot);
  }
  return metadata !== undefined ? { metadata, snapshots, summary: summarize(snapshots, metadata) } : { snapshots, summary: summarize(snapshots) };
}
