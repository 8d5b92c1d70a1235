import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Bucket layouts of the Go original (its metrics package), so dashboards and
// recording rules built on them keep working.

/** 1 ms … 200 ms in steps of about 10^0.1. */
const SYSCALL_BUCKETS = [
  0.001, 0.00125, 0.0016, 0.002, 0.0025, 0.0032, 0.004, 0.005, 0.0063, 0.0079,
  0.01, 0.0125, 0.016, 0.02, 0.025, 0.032, 0.04, 0.05, 0.063, 0.079,
  0.1, 0.125, 0.16, 0.2,
];
/** 0, 1 ms, … 29 ms (Prometheus' LinearBuckets(0, .001, 30)). */
const POLLING_BUCKETS = Array.from({ length: 30 }, (_, i) => Number((i * 0.001).toFixed(3)));
const COUNT_BUCKETS = [
  1, 2, 3, 4, 5, 6, 8,
  10, 12.5, 16, 20, 25, 32, 40, 50, 63, 79,
  100, 125, 160, 200, 250, 320, 400, 500, 630, 790,
  1000, 1250, 1600, 2000, 2500, 3200, 4000, 5000, 6300, 7900,
  10000, 12500, 16000, 20000, 25000, 32000, 40000, 50000, 63000, 79000,
  10000000,
];
/** bits/s; the original also lists +Inf, which every histogram has anyway. */
const RATE_BUCKETS = [
  0, 1, 10, 100,
  1000, 1580, 2510, 3980, 6310,
  10000, 15800, 25100, 39800, 63100,
  100000, 158000, 251000, 398000, 631000,
  1000000, 1580000, 2510000, 3980000, 6310000,
  10000000, 15800000, 25100000, 39800000, 63100000,
  100000000, 158000000, 251000000, 398000000, 631000000,
  1000000000, 1260000000, 1580000000, 2000000000, 2510000000, 3160000000, 3980000000, 5010000000, 6310000000, 7940000000,
  10000000000,
];

// Closed-flow histograms (new): buckets for internet paths, one layout each,
// listed in the README. Labels are only `af` and `cc`, so cardinality stays bounded.

/** Seconds from first to final snapshot: 10 ms (a request) … 1 h (a long transfer or an idle keep-alive). */
export const CLOSED_FLOW_DURATION_BUCKETS = [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Seconds: 100 µs (same rack) … 20–80 ms (continental) … 150–300 ms (intercontinental) … 600 ms+ (geostationary satellite). */
export const CLOSED_FLOW_MIN_RTT_BUCKETS = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2];
/** Bytes acknowledged, a bucket per half decade: 100 B … 10 GB. */
export const CLOSED_FLOW_BYTES_BUCKETS = [100, 1e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10];
/** Retransmitted / sent segments: none, 0.01 % … 50 %. */
export const CLOSED_FLOW_RETRANSMIT_BUCKETS = [0, 0.0001, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

/** Every metric of the daemon, registered in one registry. */
export interface TcpInfoMetrics {
  readonly registry: Registry;
  /** `tcpinfo_syscall_time_histogram{af}`: seconds per netlink dump. */
  readonly syscallTime: Histogram<'af'>;
  /** `tcpinfo_polling_interval_histogram`: seconds between cycle starts. */
  readonly pollingInterval: Histogram;
  /** `tcpinfo_connection_count_histogram{af}`: sockets per dump. */
  readonly connectionCount: Histogram<'af'>;
  /** `tcpinfo_cache_count_histogram`: connections in the cache per cycle. */
  readonly cacheCount: Histogram;
  /** `tcpinfo_error_total{type}`. */
  readonly errors: Counter<'type'>;
  /** `tcpinfo_new_file_total`. */
  readonly newFiles: Counter;
  /** `tcpinfo_send_rate_histogram`: bits sent per second, all connections. */
  readonly sendRate: Histogram;
  /** `tcpinfo_receive_rate_histogram`: bits received per second. */
  readonly receiveRate: Histogram;
  /** `tcpinfo_snapshot_total`: snapshots written. */
  readonly snapshots: Counter;
  /** `large_netlink_total{type}`. */
  readonly largeNetlink: Counter<'type'>;
  /** `netlink_skipped_total{type}`. */
  readonly netlinkSkipped: Counter<'type'>;
  /** `tcpinfo_flow_events_total{event}`. */
  readonly flowEvents: Counter<'event'>;
  /** `tcpinfo_open_connections` (new): connections with a file being written. */
  readonly openConnections: Gauge;
  /** `tcpinfo_pending_write_bytes` (new): compressed bytes waiting for the disk. */
  readonly pendingWriteBytes: Gauge;
  /** `tcpinfo_dropped_records_total{reason}` (new): records lost, e.g. to a full write queue. */
  readonly droppedRecords: Counter<'reason'>;
  /** `tcpinfo_eventsocket_clients` (new): connected event-socket clients. */
  readonly eventSocketClients: Gauge;
  /** `tcpinfo_eventsocket_dropped_clients_total` (new): clients disconnected for falling behind. */
  readonly eventSocketDroppedClients: Counter;
  /** `tcpinfo_eventsocket_refused_clients_total` (new): clients refused because the most allowed were connected. */
  readonly eventSocketRefusedClients: Counter;
  /**
   * `tcpinfo_build_info{version,revision,node_version}` (new): always 1, the
   * Prometheus convention for what is running (the original exports its commit
   * as `git_short_commit`). Set once by the daemon.
   */
  readonly buildInfo: Gauge<'version' | 'revision' | 'node_version'>;
  /** `tcpinfo_destroy_events_enabled` (new): 1 when destroy notifications are received. */
  readonly destroyEventsEnabled: Gauge;
  /** `tcpinfo_destroy_messages_total` (new): destroy notifications received. */
  readonly destroyMessages: Counter;
  /** `tcpinfo_destroy_first_seen_total` (new): connections first seen through a destroy notification. */
  readonly destroyFirstSeen: Counter;
  /** `tcpinfo_destroy_overruns_total` (new): receive-buffer overruns (notifications lost). */
  readonly destroyOverruns: Counter;
  /** `tcpinfo_destroy_late_total` (new): notifications for connections polling had already closed (ignored). */
  readonly destroyLate: Counter;
  /** `tcpinfo_closed_flow_duration_seconds{af,cc}` (new): first to final snapshot of each closed, non-excluded connection. */
  readonly closedFlowDuration: Histogram<'af' | 'cc'>;
  /** `tcpinfo_closed_flow_min_rtt_seconds{af,cc}` (new): the final snapshot's tcpi_min_rtt (connections with an RTT sample). */
  readonly closedFlowMinRtt: Histogram<'af' | 'cc'>;
  /** `tcpinfo_closed_flow_bytes_acked{af,cc}` (new): the final tcpi_bytes_acked. */
  readonly closedFlowBytesAcked: Histogram<'af' | 'cc'>;
  /** `tcpinfo_closed_flow_retransmit_ratio{af,cc}` (new): final tcpi_total_retrans / tcpi_segs_out. */
  readonly closedFlowRetransmitRatio: Histogram<'af' | 'cc'>;
}

/**
 * Creates the daemon's metrics in a fresh registry (so tests can make several),
 * with Node's process metrics when `processMetrics` is true (default).
 */
export function createMetrics(options: { processMetrics?: boolean } = {}): TcpInfoMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    syscallTime: new Histogram({ name: 'tcpinfo_syscall_time_histogram', help: 'netlink syscall latency distribution (seconds)', labelNames: ['af'], buckets: SYSCALL_BUCKETS, registers }),
    pollingInterval: new Histogram({ name: 'tcpinfo_polling_interval_histogram', help: 'netlink polling interval distribution (seconds)', buckets: POLLING_BUCKETS, registers }),
    connectionCount: new Histogram({ name: 'tcpinfo_connection_count_histogram', help: 'connection count histogram', labelNames: ['af'], buckets: COUNT_BUCKETS, registers }),
    cacheCount: new Histogram({ name: 'tcpinfo_cache_count_histogram', help: 'cache connection count histogram', buckets: COUNT_BUCKETS, registers }),
    errors: new Counter({ name: 'tcpinfo_error_total', help: 'The total number of errors encountered.', labelNames: ['type'], registers }),
    newFiles: new Counter({ name: 'tcpinfo_new_file_total', help: 'Number of files created.', registers }),
    sendRate: new Histogram({ name: 'tcpinfo_send_rate_histogram', help: 'send rate histogram', buckets: RATE_BUCKETS, registers }),
    receiveRate: new Histogram({ name: 'tcpinfo_receive_rate_histogram', help: 'receive rate histogram', buckets: RATE_BUCKETS, registers }),
    snapshots: new Counter({ name: 'tcpinfo_snapshot_total', help: 'Number of snapshots taken.', registers }),
    largeNetlink: new Counter({ name: 'large_netlink_total', help: 'Number of oversize netlink messages.', labelNames: ['type'], registers }),
    netlinkSkipped: new Counter({ name: 'netlink_skipped_total', help: 'Number of skipped netlink messages.', labelNames: ['type'], registers }),
    flowEvents: new Counter({ name: 'tcpinfo_flow_events_total', help: 'Number of flow events by event type.', labelNames: ['event'], registers }),
    openConnections: new Gauge({ name: 'tcpinfo_open_connections', help: 'Connections with an open file.', registers }),
    pendingWriteBytes: new Gauge({ name: 'tcpinfo_pending_write_bytes', help: 'Compressed bytes waiting to be written.', registers }),
    droppedRecords: new Counter({ name: 'tcpinfo_dropped_records_total', help: 'Records that could not be written.', labelNames: ['reason'], registers }),
    eventSocketClients: new Gauge({ name: 'tcpinfo_eventsocket_clients', help: 'Connected event socket clients.', registers }),
    eventSocketDroppedClients: new Counter({ name: 'tcpinfo_eventsocket_dropped_clients_total', help: 'Event socket clients dropped for falling behind.', registers }),
    eventSocketRefusedClients: new Counter({ name: 'tcpinfo_eventsocket_refused_clients_total', help: 'Event socket clients refused because the most allowed were connected.', registers }),
    buildInfo: new Gauge({ name: 'tcpinfo_build_info', help: 'Always 1; the labels say which build is running.', labelNames: ['version', 'revision', 'node_version'], registers }),
    destroyEventsEnabled: new Gauge({ name: 'tcpinfo_destroy_events_enabled', help: '1 when kernel destroy notifications are received, 0 when polling only.', registers }),
    destroyMessages: new Counter({ name: 'tcpinfo_destroy_messages_total', help: 'Socket destroy notifications received.', registers }),
    destroyFirstSeen: new Counter({ name: 'tcpinfo_destroy_first_seen_total', help: 'Connections first seen through a destroy notification.', registers }),
    destroyOverruns: new Counter({ name: 'tcpinfo_destroy_overruns_total', help: 'Destroy-notification receive buffer overruns.', registers }),
    closedFlowDuration: new Histogram({ name: 'tcpinfo_closed_flow_duration_seconds', help: 'Closed connections: seconds from first to final snapshot.', labelNames: ['af', 'cc'], buckets: CLOSED_FLOW_DURATION_BUCKETS, registers }),
    closedFlowMinRtt: new Histogram({ name: 'tcpinfo_closed_flow_min_rtt_seconds', help: 'Closed connections: minimum RTT (tcpi_min_rtt) of the final snapshot, seconds.', labelNames: ['af', 'cc'], buckets: CLOSED_FLOW_MIN_RTT_BUCKETS, registers }),
    closedFlowBytesAcked: new Histogram({ name: 'tcpinfo_closed_flow_bytes_acked', help: 'Closed connections: bytes acknowledged (tcpi_bytes_acked) at close.', labelNames: ['af', 'cc'], buckets: CLOSED_FLOW_BYTES_BUCKETS, registers }),
    closedFlowRetransmitRatio: new Histogram({ name: 'tcpinfo_closed_flow_retransmit_ratio', help: 'Closed connections: retransmitted / sent segments at close.', labelNames: ['af', 'cc'], buckets: CLOSED_FLOW_RETRANSMIT_BUCKETS, registers }),
    destroyLate: new Counter({ name: 'tcpinfo_destroy_late_total', help: 'Destroy notifications for connections polling had already closed (ignored: their files are closed).', registers }),
  };
}
