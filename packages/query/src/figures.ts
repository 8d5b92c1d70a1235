import type { ConnectionFigures } from '@tcpinfo/eventsocket';
import { INET_DIAG_CONG, INET_DIAG_INFO, decodeCongestion } from '@tcpinfo/inetdiag';
import type { ArchivalRecord } from '@tcpinfo/netlink';
import { TCP_INFO_FIELDS, readTcpInfoField, type TcpInfoField, type TcpInfoFieldName } from '@tcpinfo/tcp';

/** A tcp_info field from the one field table (every name used here exists: the names are typed). */
function field(name: TcpInfoFieldName): TcpInfoField {
  return TCP_INFO_FIELDS.find((x) => x.name === name)!;
}
const FIELDS = {
  rtt: field('rtt'),
  rttvar: field('rttvar'),
  minRtt: field('minRtt'),
  sndCwnd: field('sndCwnd'),
  totalRetrans: field('totalRetrans'),
  segsOut: field('segsOut'),
  bytesAcked: field('bytesAcked'),
  bytesReceived: field('bytesReceived'),
  deliveryRate: field('deliveryRate'),
} as const;

/** The kernel's tcpi_min_rtt before the first RTT sample (`~0U`). */
const NO_MIN_RTT = 0xffff_ffff;

/** A snapshot's key tcp_info values as numbers; null when its tcp_info is absent or too short. */
export interface KeyFields {
  readonly rttUs: number | null;
  readonly rttVarUs: number | null;
  /** null before the first RTT sample too. */
  readonly minRttUs: number | null;
  readonly cwnd: number | null;
  readonly totalRetrans: number | null;
  readonly segsOut: number | null;
  /** 64-bit counters as numbers: exact below 2^53 bytes (8 PiB). */
  readonly bytesAcked: number | null;
  readonly bytesReceived: number | null;
  readonly deliveryRate: number | null;
}

function num(info: Uint8Array | undefined, f: TcpInfoField): number | null {
  if (info === undefined) return null;
  const v = readTcpInfoField(info, f);
  return v === undefined ? null : Number(v);
}

/** Reads the key fields of a record's tcp_info (INET_DIAG_INFO). */
export function keyFields(record: ArchivalRecord): KeyFields {
  const info = record.attribute(INET_DIAG_INFO);
  const minRtt = num(info, FIELDS.minRtt);
  return {
    rttUs: num(info, FIELDS.rtt),
    rttVarUs: num(info, FIELDS.rttvar),
    minRttUs: minRtt === NO_MIN_RTT ? null : minRtt,
    cwnd: num(info, FIELDS.sndCwnd),
    totalRetrans: num(info, FIELDS.totalRetrans),
    segsOut: num(info, FIELDS.segsOut),
    bytesAcked: num(info, FIELDS.bytesAcked),
    bytesReceived: num(info, FIELDS.bytesReceived),
    deliveryRate: num(info, FIELDS.deliveryRate),
  };
}

/** tcpi_bytes_acked of a record, 0 when absent (the throughput anchors only). */
function bytesAckedOf(record: ArchivalRecord): number {
  return num(record.attribute(INET_DIAG_INFO), FIELDS.bytesAcked) ?? 0;
}

/** The congestion control a record reports (INET_DIAG_CONG), or undefined. */
export function congestionOf(record: ArchivalRecord): string | undefined {
  const v = record.attribute(INET_DIAG_CONG);
  return v === undefined ? undefined : decodeCongestion(v);
}

/** The shortest window the throughput is measured over (ms). */
export const THROUGHPUT_WINDOW_MS = 1000;

/** A {@link FlowState}'s values besides its identity and latest record. */
export interface FlowStateValues {
  readonly snapshots: number;
  readonly latestMs: number;
  readonly firstNanos: bigint;
  readonly olderMs: number;
  readonly olderBytes: number;
  readonly newerMs: number;
  readonly newerBytes: number;
  readonly closedAtMs: number | undefined;
  readonly closedAt: string | undefined;
  readonly congestion: string | undefined;
}

/**
 * What the daemon keeps of one connection: the latest record and a few running
 * values, never a history, so memory per connection is O(1) whatever its life.
 *
 * Throughput uses two anchors (time, bytes acked): `newer` is replaced by the
 * current snapshot once it is a second old, the old `newer` becoming `older`.
 * The window ending at the latest snapshot then starts at whichever anchor is
 * the youngest at least a second old: it lasts 1–2 s while snapshots keep
 * coming (each changes bytes acked, or nothing changed), longer only across a
 * pause in which nothing was acknowledged.
 */
export class FlowState {
  /** Snapshots seen. */
  snapshots = 0;
  /** The latest record (the final one once closed). */
  latest: ArchivalRecord;
  /** Its time (ms). */
  latestMs: number;
  /** The first snapshot's time (ns): durations are exact to the nanosecond, as in the files. */
  readonly firstNanos: bigint;
  olderMs: number;
  olderBytes: number;
  newerMs: number;
  newerBytes: number;
  /** When the close was noticed (ms of the table's clock), once closed. */
  closedAtMs: number | undefined;
  /** The close's timestamp as the daemon wrote it, once closed. */
  closedAt: string | undefined;
  /**
   * The congestion control, from the first snapshot that reports it (the final
   * one, from a destroy notification, often does not): looked for again only
   * when an anchor moves, so at most once a second.
   */
  congestion: string | undefined;

  constructor(
    readonly uuid: string,
    /** The cookie as 16 upper-case hex digits (the end of the UUID). */
    readonly cookieHex: string,
    first: ArchivalRecord,
    firstMs: number,
    /** The first snapshot's time when `first` is not the first (a restored flow). */
    firstNanos: bigint = first.timestamp.unixNanos,
  ) {
    this.latest = first;
    this.latestMs = firstMs;
    this.firstNanos = firstNanos;
    const bytes = bytesAckedOf(first);
    this.olderMs = this.newerMs = firstMs;
    this.olderBytes = this.newerBytes = bytes;
    this.snapshots = 1;
    this.congestion = congestionOf(first);
  }

  /**
   * A flow rebuilt from its latest record and running values: what the query
   * thread answers from (flow-wire.ts carries them over; its test pins the
   * answers of a rebuilt flow to those of the original).
   */
  static restore(uuid: string, cookieHex: string, latest: ArchivalRecord, values: FlowStateValues): FlowState {
    const flow = new FlowState(uuid, cookieHex, latest, values.latestMs, values.firstNanos);
    flow.snapshots = values.snapshots;
    flow.olderMs = values.olderMs;
    flow.olderBytes = values.olderBytes;
    flow.newerMs = values.newerMs;
    flow.newerBytes = values.newerBytes;
    flow.closedAtMs = values.closedAtMs;
    flow.closedAt = values.closedAt;
    flow.congestion = values.congestion;
    return flow;
  }

  /** A later snapshot (the hot path: no allocation unless an anchor moves, once a second). */
  observe(record: ArchivalRecord, ms: number): void {
    this.latest = record;
    this.latestMs = ms;
    this.snapshots++;
    if (ms - this.newerMs >= THROUGHPUT_WINDOW_MS) {
      this.olderMs = this.newerMs;
      this.olderBytes = this.newerBytes;
      this.newerMs = ms;
      this.newerBytes = bytesAckedOf(record);
      this.congestion ??= congestionOf(record);
    }
  }

  /** Seconds from the first snapshot to the latest. */
  get durationSeconds(): number {
    return Number(this.latest.timestamp.unixNanos - this.firstNanos) / 1e9;
  }
}

/**
 * The figures of a flow, as the query socket answers them: the client's type
 * (ConnectionFigures of @tcpinfo/eventsocket) is the one declaration of the answer.
 */
export type Figures = ConnectionFigures;

/** total_retrans / segs_out; 0 when nothing was sent; null when either is unknown. */
export function retransmitRatio(k: KeyFields): number | null {
  if (k.totalRetrans === null || k.segsOut === null) return null;
  return k.segsOut === 0 ? 0 : k.totalRetrans / k.segsOut;
}

/**
 * The figures of `flow` at `nowMs` (same clock as the snapshot times; for a
 * closed flow, pass its close time). Pure.
 */
export function figuresOf(flow: FlowState, nowMs: number, k: KeyFields = keyFields(flow.latest)): Figures {
  const useNewer = flow.latestMs - flow.newerMs >= THROUGHPUT_WINDOW_MS;
  const fromMs = useNewer ? flow.newerMs : flow.olderMs;
  const fromBytes = useNewer ? flow.newerBytes : flow.olderBytes;
  let windowMs = flow.latestMs - fromMs;
  let throughput = windowMs > 0 ? ((( k.bytesAcked ?? 0) - fromBytes) * 8 * 1000) / windowMs : 0;
  if (nowMs - flow.latestMs >= THROUGHPUT_WINDOW_MS) {
    // No snapshot for a second: bytes acked did not change (a change is always written).
    throughput = 0;
    windowMs = nowMs - flow.latestMs;
  }
  return {
    durationSeconds: flow.durationSeconds,
    snapshots: flow.snapshots,
    throughputBitsPerSecond: throughput,
    throughputWindowSeconds: windowMs / 1000,
    minRttUs: k.minRttUs,
    smoothedRttUs: k.rttUs,
    rttVarUs: k.rttVarUs,
    retransmittedSegments: k.totalRetrans,
    sentSegments: k.segsOut,
    retransmitRatio: retransmitRatio(k),
    bytesAcked: k.bytesAcked,
    bytesReceived: k.bytesReceived,
  };
}
