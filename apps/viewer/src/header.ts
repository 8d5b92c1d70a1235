import { summarize } from '@tcpinfo/parse';
import { tcpStateName } from '@tcpinfo/tcp';
import type { LoadedConnection } from './load.js';

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

/** The header of a connection, from the parse library's summary and its first and last inet_diag_msg. */
export function headerOf(conn: LoadedConnection): ConnectionHeader {
  const summary = summarize(conn.snapshots, conn.metadata);
  const withIdm = conn.snapshots.filter((s) => s.idm !== undefined);
  const first = withIdm[0]?.idm;
  const last = withIdm.at(-1)?.idm;
  const zeroTimes = conn.snapshots.some((s) => s.timestamp.isZero());
  const h: { -readonly [K in keyof ConnectionHeader]: ConnectionHeader[K] } = {
    name: conn.metadata?.UUID ?? (conn.cookieHex !== undefined ? `cookie ${conn.cookieHex}` : 'records without a socket'),
    source: conn.source,
    snapshots: summary.snapshots,
  };
  if (first !== undefined) {
    h.local = endpoint(first.id.src, first.id.sport);
    h.remote = endpoint(first.id.dst, first.id.dport);
  }
  if (summary.start !== undefined && !summary.start.isZero()) h.start = summary.start.toString();
  if (summary.durationNanos !== undefined && !zeroTimes) h.durationSec = Number(summary.durationNanos) / 1e9;
  if (summary.congestionAlgorithm !== undefined) h.congestionAlgorithm = summary.congestionAlgorithm;
  if (summary.bytesSent !== undefined) h.bytesSent = summary.bytesSent.toString();
  if (summary.bytesReceived !== undefined) h.bytesReceived = summary.bytesReceived.toString();
  if (summary.bytesAcked !== undefined) h.bytesAcked = summary.bytesAcked.toString();
  if (summary.retransmissions !== undefined) h.retransmissions = summary.retransmissions;
  if (last !== undefined) h.finalState = tcpStateName(last.state);
  return h;
}
