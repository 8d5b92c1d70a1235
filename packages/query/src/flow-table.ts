import type { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { AF_INET6 } from '@tcpinfo/inetdiag';
import { FlowState, congestionOf, keyFields, retransmitRatio } from './figures.js';

/** Options of a {@link FlowTable}. */
export interface FlowTableOptions {
  /**
   * How long a closed connection stays answerable (default 10 s); 0 forgets it
   * at once (the daemon without a query socket keeps only open flows).
   */
  readonly retentionMs?: number;
  /** Most closed connections kept (default 100,000; the oldest go first): bounds memory under churn. */
  readonly maxRetained?: number;
  /** Clock for retention (ms; default Date.now). Tests inject one. */
  readonly now?: () => number;
  /** Called once per closed flow, with its final state (the closed-flow histograms). */
  readonly onClosed?: (flow: FlowState) => void;
}

/** A closed flow's summary for the histograms, labelled by address family and congestion control only. */
export interface ClosedFlowSummary {
  readonly af: 'ipv4' | 'ipv6';
  /** The congestion control (from any snapshot), `unknown` when none reported it. */
  readonly cc: string;
  readonly durationSeconds: number;
  /** The kernel's tcpi_min_rtt of the final snapshot (s); undefined without an RTT sample. */
  readonly minRttSeconds: number | undefined;
  readonly bytesAcked: number;
  /** total_retrans / segs_out of the final snapshot. */
  readonly retransmitRatio: number;
}

/** Byte 0 of an inet_diag_msg: idiag_family. */
const IDIAG_FAMILY_OFFSET = 0;

/** Address family label of a record ('ipv4' unless its inet_diag_msg says AF_INET6). */
export function familyOf(record: ArchivalRecord): 'ipv4' | 'ipv6' {
  return record.rawIdm?.[IDIAG_FAMILY_OFFSET] === AF_INET6 ? 'ipv6' : 'ipv4';
}

/** The histogram values of a closed flow. Pure. */
export function summarizeClosed(flow: FlowState): ClosedFlowSummary {
  const k = keyFields(flow.latest);
  return {
    af: familyOf(flow.latest),
    cc: flow.congestion || congestionOf(flow.latest) || 'unknown',
    durationSeconds: flow.durationSeconds,
    minRttSeconds: k.minRttUs === null ? undefined : k.minRttUs / 1e6,
    bytesAcked: k.bytesAcked ?? 0,
    retransmitRatio: retransmitRatio(k) ?? 0,
  };
}

/** The cookie's 16 upper-case hex digits at the end of a UUID (`<prefix>_<cookie>`, SPEC §5). */
function cookieHexOf(uuid: string): string {
  return uuid.slice(-16);
}

/**
 * Every open connection's {@link FlowState}, and closed ones for the
 * retention. Fed by the saver (a RecordSink: every record written, every
 * close), so it holds exactly what the files hold: excluded connections never
 * arrive, addresses are anonymized as written. No I/O, clock injected.
 */
export class FlowTable {
  readonly #open = new Map<string, FlowState>();
  /** Closed flows in the order they closed (Map order), so expiry looks at the front only. */
  readonly #closed = new Map<string, FlowState>();
  /** Open and retained flows by cookie hex. */
  readonly #byCookie = new Map<string, FlowState>();
  readonly #retentionMs: number;
  readonly #maxRetained: number;
  readonly #now: () => number;
  readonly #onClosed: ((flow: FlowState) => void) | undefined;
  /** The last timestamp seen and its ms: the records of one dump share one GoTime. */
  #lastTimestamp: GoTime | undefined;
  #lastMs = 0;

  constructor(options: FlowTableOptions = {}) {
    this.#retentionMs = options.retentionMs ?? 10_000;
    this.#maxRetained = options.maxRetained ?? 100_000;
    this.#now = options.now ?? Date.now;
    this.#onClosed = options.onClosed;
  }

  /** The table's clock (ms). */
  now(): number {
    return this.#now();
  }

  /** Open connections. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Closed connections still retained. */
  get retainedCount(): number {
    return this.#closed.size;
  }

  /** A record written for connection `uuid` (the polling hot path: one map lookup, no allocation). */
  onRecord(uuid: string, record: ArchivalRecord): void {
    const ts = record.timestamp;
    if (ts !== this.#lastTimestamp) {
      this.#lastTimestamp = ts;
      this.#lastMs = ts.unixMillis();
    }
    const flow = this.#open.get(uuid);
    if (flow !== undefined) {
      flow.observe(record, this.#lastMs);
      return;
    }
    const created = new FlowState(uuid, cookieHexOf(uuid), record, this.#lastMs);
    this.#open.set(uuid, created);
    this.#byCookie.set(created.cookieHex, created);
  }

  /** Connection `uuid` closed: summarized once, then retained (or forgotten). */
  onClose(uuid: string, timestamp: GoTime): void {
    const flow = this.#open.get(uuid);
    if (flow === undefined) return;
    this.#open.delete(uuid);
    const now = this.#now();
    flow.closedAtMs = now;
    flow.closedAt = timestamp.toString();
    this.#onClosed?.(flow);
    if (this.#retentionMs > 0) this.#closed.set(uuid, flow);
    else this.#byCookie.delete(flow.cookieHex);
    this.expire(now);
  }

  /** Forgets closed flows older than the retention (or beyond the most kept). Cheap when none is due. */
  expire(now: number = this.#now()): void {
    for (const [uuid, flow] of this.#closed) {
      if (flow.closedAtMs! + this.#retentionMs > now && this.#closed.size <= this.#maxRetained) break;
      this.#closed.delete(uuid);
      if (this.#byCookie.get(flow.cookieHex) === flow) this.#byCookie.delete(flow.cookieHex);
    }
  }

  /** An open or retained flow by UUID. */
  get(uuid: string): FlowState | undefined {
    this.expire();
    return this.#open.get(uuid) ?? this.#closed.get(uuid);
  }

  /** An open or retained flow by cookie (16 upper-case hex digits). */
  getByCookie(cookieHex: string): FlowState | undefined {
    this.expire();
    return this.#byCookie.get(cookieHex);
  }

  /** The open flows (a live iterator: flows opened or closed meanwhile may or may not be visited). */
  openFlows(): IterableIterator<FlowState> {
    return this.#open.values();
  }
}
