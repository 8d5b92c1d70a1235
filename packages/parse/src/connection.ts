import type { GoTime, Metadata } from '@tcpinfo/netlink';
import type { Input } from './input.js';
import { toPlainJson } from './snapshot-json.js';
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
  /** JSON of the summary: bigints as numbers when exact (else decimal strings), times as RFC 3339 text (see toPlainJson). */
  toJSON(): Record<string, unknown>;
}

/** A whole connection file. */
export interface Connection {
  /** Header metadata (the first header record's). */
  readonly metadata?: Metadata;
  readonly snapshots: readonly Snapshot[];
  readonly summary: ConnectionSummary;
}

type SummaryFields = Omit<ConnectionSummary, 'toJSON'>;
type MutableSummary = { -readonly [K in keyof SummaryFields]: SummaryFields[K] };

/** The summary with its (non-enumerable) toJSON: JSON.stringify(summary) works despite the bigints. */
function withToJson(s: MutableSummary): ConnectionSummary {
  Object.defineProperty(s, 'toJSON', { value: () => toPlainJson({ ...s }) as Record<string, unknown>, enumerable: false });
  return s as ConnectionSummary;
}

/**
 * Builds a {@link ConnectionSummary} one snapshot at a time, so a reader can
 * summarize a connection of any length without keeping its snapshots:
 *
 * ```ts
 * const summary = new SummaryBuilder();
 * for await (const { metadata, snapshot } of readSnapshots(path)) if (!metadata) summary.add(snapshot);
 * console.log(summary.result().bytesAcked);
 * ```
 *
 * Keeps only the summary's own fields (the snapshot's GoTime and counter values,
 * no snapshot). Equals {@link summarize} over the same snapshots.
 */
export class SummaryBuilder {
  readonly #s: MutableSummary = { snapshots: 0 };

  /** Folds the next snapshot (in file order) into the summary. */
  add(snapshot: Snapshot): this {
    const s = this.#s;
    s.snapshots++;
    s.start ??= snapshot.timestamp;
    s.end = snapshot.timestamp;
    const t = snapshot.tcpInfo;
    if (t !== undefined) {
      if (t.bytesSent !== undefined) s.bytesSent = t.bytesSent;
      if (t.bytesReceived !== undefined) s.bytesReceived = t.bytesReceived;
      if (t.bytesAcked !== undefined) s.bytesAcked = t.bytesAcked;
      if (t.totalRetrans !== undefined) s.retransmissions = t.totalRetrans;
      if (t.minRtt !== undefined && t.minRtt > 0 && (s.minRttUsec === undefined || t.minRtt < s.minRttUsec)) s.minRttUsec = t.minRtt;
    }
    if (snapshot.congestionAlgorithm !== undefined) s.congestionAlgorithm = snapshot.congestionAlgorithm;
    return this;
  }

  /**
   * The summary of the snapshots added so far (a new object; adding more
   * afterwards does not change it). `metadata` supplies the start time of a
   * connection without snapshots (the header's StartTime).
   */
  result(metadata?: Metadata): ConnectionSummary {
    const s: MutableSummary = { ...this.#s };
    if (s.start === undefined && metadata !== undefined) s.start = metadata.StartTime;
    if (s.start !== undefined && s.end !== undefined) s.durationNanos = s.end.unixNanos - s.start.unixNanos;
    return withToJson(s);
  }
}

/** Folds snapshots into a {@link ConnectionSummary} (see {@link SummaryBuilder} to fold them as they are read). */
export function summarize(snapshots: readonly Snapshot[], metadata?: Metadata): ConnectionSummary {
  const builder = new SummaryBuilder();
  for (const snap of snapshots) builder.add(snap);
  return builder.result(metadata);
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
