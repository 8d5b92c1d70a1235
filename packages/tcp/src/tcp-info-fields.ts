/**
 * `struct tcp_info` (include/uapi/linux/tcp.h) as data: one entry per field, in
 * kernel order, with its byte offset, width, signedness and unit. This table
 * drives decoding ({@link decodeTcpInfo}), the CSV columns and the docs, so a
 * field added by a new kernel is one line here.
 *
 * Layout of Linux 6.18 (280 bytes). The Go original knows the first 232 bytes
 * (up to `tcpi_snd_wnd`); `goName`/`goColumn` are its struct field and CSV
 * column, absent for the fields it lacks. Multi-byte fields are host order
 * (little-endian on every platform this runs on).
 *
 * Note for the next kernel: after 6.18 the AccECN series repacks the last 32 bits
 * (accecn_fail_mode, accecn_opt_seen) as bitfields ecn_mode:2, accecn_opt_seen:2,
 * accecn_fail_mode:4, options2:24. The running kernel decides; check it when
 * adding fields.
 */

/** What a field's value measures. */
export type TcpInfoUnit =
  | 'enum'
  | 'flags'
  | 'count'
  | 'segments'
  | 'packets'
  | 'bytes'
  | 'bytes/s'
  | 'usec'
  | 'msec'
  | 'shift';

/** One field of `struct tcp_info`. */
export interface TcpInfoField {
  /** Key in a decoded {@link TcpInfo}: the kernel name without `tcpi_`, camelCased. */
  readonly name: string;
  /** The kernel's name (`tcpi_snd_cwnd`). */
  readonly kernelName: string;
  /** Byte offset in the struct. */
  readonly offset: number;
  /** Width in bytes of the storage unit (1, 2, 4 or 8). */
  readonly size: 1 | 2 | 4 | 8;
  /** For a bitfield: first bit (0 = least significant) and width within the storage unit. */
  readonly bits?: { readonly shift: number; readonly width: number };
  /** Whether the original prints it as a signed value (its Go type is intN). */
  readonly signed: boolean;
  /** What the value measures. */
  readonly unit: TcpInfoUnit;
  /** The original's `LinuxTCPInfo` field, absent for fields it does not have. */
  readonly goName?: string;
  /** The original's CSV column (its `csv` tag, quirks included), absent likewise. */
  readonly goColumn?: string;
  /** One line on what the field is. */
  readonly doc: string;
}

type Spec = readonly [
  name: string,
  offset: number,
  size: 1 | 2 | 4 | 8,
  unit: TcpInfoUnit,
  goName: string | undefined,
  doc: string,
  extra?: { signed?: boolean; bits?: { shift: number; width: number }; kernelName?: string; goColumn?: string },
];

// prettier-ignore
const SPECS = [
  ['state', 0, 1, 'enum', 'State', 'TCP state (TCPState)'],
  ['caState', 1, 1, 'enum', 'CAState', 'congestion-avoidance state (Open, Disorder, CWR, Recovery, Loss)'],
  ['retransmits', 2, 1, 'count', 'Retransmits', 'retransmissions of the current RTO episode'],
  ['probes', 3, 1, 'count', 'Probes', 'unanswered zero-window probes'],
  ['backoff', 4, 1, 'count', 'Backoff', 'RTO backoff exponent'],
  ['options', 5, 1, 'flags', 'Options', 'TCPI_OPT_* options negotiated (timestamps, SACK, wscale, ECN …)'],
  ['wscale', 6, 1, 'flags', 'WScale', 'both window-scale nibbles as one byte, as the original reads it', { kernelName: 'tcpi_snd_wscale:4, tcpi_rcv_wscale:4' }],
  ['sndWscale', 6, 1, 'shift', undefined, 'send window scale', { bits: { shift: 0, width: 4 }, kernelName: 'tcpi_snd_wscale' }],
  ['rcvWscale', 6, 1, 'shift', undefined, 'receive window scale', { bits: { shift: 4, width: 4 }, kernelName: 'tcpi_rcv_wscale' }],
  ['appLimited', 7, 1, 'flags', 'AppLimited', 'the byte holding delivery_rate_app_limited:1 and fastopen_client_fail:2, as the original reads it', { kernelName: 'tcpi_delivery_rate_app_limited:1, tcpi_fastopen_client_fail:2' }],
  ['deliveryRateAppLimited', 7, 1, 'flags', undefined, 'the delivery-rate sample was application-limited', { bits: { shift: 0, width: 1 }, kernelName: 'tcpi_delivery_rate_app_limited' }],
  ['fastopenClientFail', 7, 1, 'enum', undefined, 'why TCP Fast Open failed on the client (TFO_*)', { bits: { shift: 1, width: 2 }, kernelName: 'tcpi_fastopen_client_fail' }],
  ['rto', 8, 4, 'usec', 'RTO', 'retransmission timeout'],
  ['ato', 12, 4, 'usec', 'ATO', 'delayed-ACK timeout'],
  ['sndMss', 16, 4, 'bytes', 'SndMSS', 'send maximum segment size'],
  ['rcvMss', 20, 4, 'bytes', 'RcvMSS', 'estimated receive maximum segment size'],
  ['unacked', 24, 4, 'segments', 'Unacked', 'segments sent and not yet acknowledged'],
  ['sacked', 28, 4, 'segments', 'Sacked', 'segments selectively acknowledged (or listen backlog)'],
  ['lost', 32, 4, 'segments', 'Lost', 'segments considered lost'],
  ['retrans', 36, 4, 'segments', 'Retrans', 'segments retransmitted and not yet acknowledged'],
  ['fackets', 40, 4, 'segments', 'Fackets', 'forward-acknowledged segments (always 0 since Linux 4.15)'],
  ['lastDataSent', 44, 4, 'msec', 'LastDataSent', 'time since data was last sent'],
  ['lastAckSent', 48, 4, 'msec', 'LastAckSent', 'time since an ACK was last sent (not kept by Linux: 0)'],
  ['lastDataRecv', 52, 4, 'msec', 'LastDataRecv', 'time since data was last received'],
  ['lastAckRecv', 56, 4, 'msec', 'LastAckRecv', 'time since an ACK was last received', { goColumn: 'TCP.LastDataRecv' }],
  ['pmtu', 60, 4, 'bytes', 'PMTU', 'path MTU'],
  ['rcvSsthresh', 64, 4, 'bytes', 'RcvSsThresh', 'receive window clamp during slow start'],
  ['rtt', 68, 4, 'usec', 'RTT', 'smoothed round-trip time'],
  ['rttvar', 72, 4, 'usec', 'RTTVar', 'round-trip time variance'],
  ['sndSsthresh', 76, 4, 'segments', 'SndSsThresh', 'slow-start threshold'],
  ['sndCwnd', 80, 4, 'segments', 'SndCwnd', 'congestion window'],
  ['advmss', 84, 4, 'bytes', 'AdvMSS', 'advertised maximum segment size'],
  ['reordering', 88, 4, 'segments', 'Reordering', 'reordering degree tolerated'],
  ['rcvRtt', 92, 4, 'usec', 'RcvRTT', 'receiver-side round-trip time estimate'],
  ['rcvSpace', 96, 4, 'bytes', 'RcvSpace', 'receive buffer autotuning space'],
  ['totalRetrans', 100, 4, 'segments', 'TotalRetrans', 'segments retransmitted over the connection'],
  ['pacingRate', 104, 8, 'bytes/s', 'PacingRate', 'current pacing rate (all ones: unlimited, -1 signed)', { signed: true }],
  ['maxPacingRate', 112, 8, 'bytes/s', 'MaxPacingRate', 'SO_MAX_PACING_RATE (all ones: unlimited)', { signed: true }],
  ['bytesAcked', 120, 8, 'bytes', 'BytesAcked', 'bytes acknowledged by the peer (RFC 4898 ThruOctetsAcked)', { signed: true }],
  ['bytesReceived', 128, 8, 'bytes', 'BytesReceived', 'bytes received in order (RFC 4898 ThruOctetsReceived)', { signed: true }],
  ['segsOut', 136, 4, 'segments', 'SegsOut', 'segments sent, retransmissions included', { signed: true }],
  ['segsIn', 140, 4, 'segments', 'SegsIn', 'segments received', { signed: true }],
  ['notsentBytes', 144, 4, 'bytes', 'NotsentBytes', 'bytes queued and not yet sent'],
  ['minRtt', 148, 4, 'usec', 'MinRTT', 'minimum round-trip time seen (windowed)'],
  ['dataSegsIn', 152, 4, 'segments', 'DataSegsIn', 'segments received carrying data'],
  ['dataSegsOut', 156, 4, 'segments', 'DataSegsOut', 'segments sent carrying data'],
  ['deliveryRate', 160, 8, 'bytes/s', 'DeliveryRate', 'most recent delivery-rate sample', { signed: true }],
  ['busyTime', 168, 8, 'usec', 'BusyTime', 'time busy sending data', { signed: true }],
  ['rwndLimited', 176, 8, 'usec', 'RWndLimited', 'time limited by the receive window', { signed: true }],
  ['sndbufLimited', 184, 8, 'usec', 'SndBufLimited', 'time limited by the send buffer', { signed: true }],
  ['delivered', 192, 4, 'segments', 'Delivered', 'segments delivered, retransmissions included'],
  ['deliveredCe', 196, 4, 'segments', 'DeliveredCE', 'segments delivered with an ECN CE echo'],
  ['bytesSent', 200, 8, 'bytes', 'BytesSent', 'bytes sent, retransmissions included (RFC 4898 HCDataOctetsOut)', { signed: true }],
  ['bytesRetrans', 208, 8, 'bytes', 'BytesRetrans', 'bytes retransmitted (RFC 4898 OctetsRetrans)', { signed: true }],
  ['dsackDups', 216, 4, 'count', 'DSackDups', 'duplicate segments reported by DSACK'],
  ['reordSeen', 220, 4, 'count', 'ReordSeen', 'reordering events seen'],
  ['rcvOoopack', 224, 4, 'packets', 'RcvOooPack', 'out-of-order packets received'],
  ['sndWnd', 228, 4, 'bytes', 'SndWnd', "peer's advertised receive window after scaling"],
  ['rcvWnd', 232, 4, 'bytes', undefined, 'local advertised receive window after scaling (Linux 6.2)'],
  ['rehash', 236, 4, 'count', undefined, 'PLB or timeout-triggered rehash attempts (Linux 6.2)'],
  ['totalRto', 240, 2, 'count', undefined, 'RTO timeouts over the connection (Linux 6.7)'],
  ['totalRtoRecoveries', 242, 2, 'count', undefined, 'RTO recovery episodes (Linux 6.7)'],
  ['totalRtoTime', 244, 4, 'msec', undefined, 'time spent in RTO recoveries (Linux 6.7)'],
  ['receivedCe', 248, 4, 'packets', undefined, 'packets received with CE marks (AccECN, Linux 6.18)'],
  ['deliveredE1Bytes', 252, 4, 'bytes', undefined, 'bytes delivered with ECT(1) (AccECN)'],
  ['deliveredE0Bytes', 256, 4, 'bytes', undefined, 'bytes delivered with ECT(0) (AccECN)'],
  ['deliveredCeBytes', 260, 4, 'bytes', undefined, 'bytes delivered with CE (AccECN)'],
  ['receivedE1Bytes', 264, 4, 'bytes', undefined, 'bytes received with ECT(1) (AccECN)'],
  ['receivedE0Bytes', 268, 4, 'bytes', undefined, 'bytes received with ECT(0) (AccECN)'],
  ['receivedCeBytes', 272, 4, 'bytes', undefined, 'bytes received with CE (AccECN)'],
  ['accecnFailMode', 276, 2, 'flags', undefined, 'AccECN failure mode (AccECN)'],
  ['accecnOptSeen', 278, 2, 'flags', undefined, 'AccECN option seen (AccECN)'],
] as const satisfies readonly Spec[];

function kernelNameOf(name: string): string {
  return 'tcpi_' + name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Every field of `struct tcp_info` of Linux 6.18, in kernel order (bitfields after their byte). */
export const TCP_INFO_FIELDS: readonly TcpInfoField[] = SPECS.map((spec): TcpInfoField => {
  const [name, offset, size, unit, goName, doc, extra] = spec as Spec;
  return {
    name,
    kernelName: extra?.kernelName ?? kernelNameOf(name),
    offset,
    size,
    ...(extra?.bits ? { bits: extra.bits } : {}),
    signed: extra?.signed ?? false,
    unit,
    ...(goName !== undefined ? { goName, goColumn: extra?.goColumn ?? `TCP.${goName}` } : {}),
    doc,
  };
});

/** Names of the fields held in 8 bytes: decoded as bigint. */
type WideName = Extract<(typeof SPECS)[number], readonly [string, number, 8, ...unknown[]]>[0];
/** Every field name. */
export type TcpInfoFieldName = (typeof SPECS)[number][0];

/**
 * The values of a decoded `struct tcp_info`: `number` for fields of up to 32 bits,
 * `bigint` (unsigned) for 64-bit ones; a field beyond the end of the value is absent.
 */
export type TcpInfoValues = { readonly [K in Exclude<TcpInfoFieldName, WideName>]?: number } & {
  readonly [K in WideName]?: bigint;
};

/** Size of `struct tcp_info` as the Go original knows it (up to `tcpi_snd_wnd`). */
export const SIZEOF_TCP_INFO_ORIGINAL = 232;
/** Size of `struct tcp_info` as this table knows it (Linux 6.18). */
export const SIZEOF_TCP_INFO_KNOWN = 280;

/** Offset of `tcpi_last_data_sent`: change detection compares bytes before it. */
export const TCPI_LAST_DATA_SENT_OFFSET = 44;
/** Offset of `tcpi_pmtu`: change detection compares from here … */
export const TCPI_PMTU_OFFSET = 60;
/** … up to `tcpi_busy_time` (i.e. through `tcpi_delivery_rate`). */
export const TCPI_BUSY_TIME_OFFSET = 168;
/** Offset of `tcpi_bytes_acked` (u64). */
export const TCPI_BYTES_ACKED_OFFSET = 120;
/** Offset of `tcpi_bytes_received` (u64). */
export const TCPI_BYTES_RECEIVED_OFFSET = 128;
/** Offset of `tcpi_bytes_sent` (u64). */
export const TCPI_BYTES_SENT_OFFSET = 200;
