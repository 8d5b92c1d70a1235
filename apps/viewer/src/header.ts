import type { Metadata } from '@tcpinfo/netlink';
import { SummaryBuilder, type Snapshot } from '@tcpinfo/parse';
import { tcpStateName } from '@tcpinfo/tcp';

/** What a connection's section header and the overview table show. */
export interface ConnectionHeader {
  /** The header's UUID, or `cookie <hex>` for header-less records. */
  readonly name: string;
  readonly source: string;
  /** `address:port` of the socket (IPv6 in brackets). */
  readonly local?: string;
  readonly remote?: string;
  /** First snapshot's time as the file spells it (RFC 3339). */
  readonly start?: string;
  /** Seconds from the first to the last snapshot (absent without timestamps). */
  readonly durationSec?: number;
  readonly congestionAlgorithm?: string;
  /** Final byte counters, exact decimal strings (they are 64-bit). */
  readonly bytesSent?: string;
  readonly bytesReceived?: string;
  readonly bytesAcked?: string;
  /** Final tcpi_total_retrans (segments). */
  readonly retransmissions?: number;
  /** Last TCP state seen (`ESTABLISHED`, `FIN_WAIT2` …). */
  readonly finalState?: string;
  readonly snapshots: number;
}

const endpoint = (address: string, port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** Who a connection is, for its header: known before its snapshots are. */
export interface ConnectionIdentity {
  readonly source: string;
  readonly metadata?: Metadata;
  readonly cookieHex?: string;
}

/**
 * Folds a connection's snapshots, as they are read, into what its header
 * shows: the parse library's summary (a {@link SummaryBuilder}), the endpoints
 * of the first snapshot with an inet_diag_msg, the state of the last one, and
 * whether any snapshot lacks a timestamp. Keeps no snapshot.
 */
export class HeaderBuilder {
  readonly #summary = new SummaryBuilder();
  #endpoints: { readonly local: string; readonly remote: string } | undefined;
  #lastState: number | undefined;
  #zeroTimes = false;

  /** Folds the next snapshot of the connection. */
  add(snapshot: Snapshot): void {
    this.#summary.add(snapshot);
    const idm = snapshot.idm;
    if (idm !== undefined) {
      this.#endpoints ??= { local: endpoint(idm.id.src, idm.id.sport), remote: endpoint(idm.id.dst, idm.id.dport) };
      this.#lastState = idm.state;
    }
    if (snapshot.timestamp.isZero()) this.#zeroTimes = true;
  }

  /** The header of the connection folded so far. */
  build(conn: ConnectionIdentity): ConnectionHeader {
    const summary = this.#summary.result(conn.metadata);
    const h: { -readonly [K in keyof ConnectionHeader]: ConnectionHeader[K] } = {
      name: conn.metadata?.UUID ?? (conn.cookieHex !== undefined ? `cookie ${conn.cookieHex}` : 'records without a socket'),
      source: conn.source,
      snapshots: summary.snapshots,
    };
    if (this.#endpoints !== undefined) {
      h.local = this.#endpoints.local;
      h.remote = this.#endpoints.remote;
    }
    if (summary.start !== undefined && !summary.start.isZero()) h.start = summary.start.toString();
    if (summary.durationNanos !== undefined && !this.#zeroTimes) h.durationSec = Number(summary.durationNanos) / 1e9;
    if (summary.congestionAlgorithm !== undefined) h.congestionAlgorithm = summary.congestionAlgorithm;
    if (summary.bytesSent !== undefined) h.bytesSent = summary.bytesSent.toString();
    if (summary.bytesReceived !== undefined) h.bytesReceived = summary.bytesReceived.toString();
    if (summary.bytesAcked !== undefined) h.bytesAcked = summary.bytesAcked.toString();
    if (summary.retransmissions !== undefined) h.retransmissions = summary.retransmissions;
    if (this.#lastState !== undefined) h.finalState = tcpStateName(this.#lastState);
    return h;
  }
}

/** The header of snapshots already in memory (tests, small inputs). */
export function headerOf(conn: ConnectionIdentity, snapshots: Iterable<Snapshot>): ConnectionHeader {
  const builder = new HeaderBuilder();
  for (const s of snapshots) builder.add(s);
  return builder.build(conn);
}
