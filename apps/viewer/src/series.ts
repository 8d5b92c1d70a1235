import type { Snapshot } from '@tcpinfo/parse';

/** One line of a chart: a value (or a gap, `null`) per snapshot. */
export interface ChartSeries {
  readonly label: string;
  readonly values: (number | null)[];
}

/** One time-series chart of a connection; every series shares the connection's x values. */
export interface Chart {
  /** Stable identifier (`throughput`, `cwnd`, `rtt`, `loss`, `pacing`, `rwnd`). */
  readonly id: string;
  readonly title: string;
  /** Unit of every series' values, for the y axis. */
  readonly unit: string;
  readonly series: ChartSeries[];
}

/** The shared x axis of a connection's charts. */
export interface XAxis {
  /** `seconds` since the first snapshot, or `snapshot` numbers when the records carry no timestamps. */
  readonly kind: 'seconds' | 'snapshot';
  readonly values: number[];
}

/** Kernel sentinels that mean "no value" rather than a number. */
const TCP_INFINITE_SSTHRESH = 0x7fffffff;
const NO_MIN_RTT = 0xffffffff;
const UNLIMITED_PACING = 0xffffffffffffffffn;

const mbitPerSec = (bytesPerSec: bigint | undefined): number | null => (bytesPerSec === undefined ? null : (Number(bytesPerSec) * 8) / 1e6);
const ms = (usec: number | undefined): number | null => (usec === undefined ? null : usec / 1000);
const num = (v: number | undefined): number | null => (v === undefined ? null : v);

/**
 * The x axis: seconds since the first snapshot; snapshot numbers (1, 2, …) when
 * any snapshot has the zero time (the original's header-less archives do).
 */
export function xAxisOf(snapshots: readonly Snapshot[]): XAxis {
  if (snapshots.length === 0 || snapshots.some((s) => s.timestamp.isZero())) {
    return { kind: 'snapshot', values: snapshots.map((_, i) => i + 1) };
  }
  const start = snapshots[0]!.timestamp.unixNanos;
  return { kind: 'seconds', values: snapshots.map((s) => Number(s.timestamp.unixNanos - start) / 1e9) };
}

/**
 * Rate of a byte counter between consecutive snapshots, Mbit/s, placed on the
 * later one: the average over the interval (the daemon writes only snapshots
 * that changed, so a long gap gives the average over the whole gap). Null for
 * the first snapshot, a missing counter, a non-increasing time, or a counter
 * that went backwards.
 */
export function counterRate(seconds: readonly number[], counter: readonly (bigint | undefined)[]): (number | null)[] {
  return counter.map((c, i) => {
    if (i === 0) return null;
    const prev = counter[i - 1];
    const dt = seconds[i]! - seconds[i - 1]!;
    if (c === undefined || prev === undefined || !(dt > 0) || c < prev) return null;
    return (Number(c - prev) * 8) / dt / 1e6;
  });
}

/** True when any value of any series is a number: charts without one are left out. */
export const hasData = (chart: Chart): boolean => chart.series.some((s) => s.values.some((v) => v !== null));

/**
 * The charts of a connection, from its snapshots: throughput (byte-counter
 * deltas and the kernel's delivery rate), cwnd and ssthresh, RTT, retransmissions
 * and losses, pacing rate and BBR bandwidth, receive window. Charts without a
 * single value (e.g. pacing on an old kernel, throughput without timestamps) are left out.
 */
export function chartsOf(snapshots: readonly Snapshot[], x: XAxis): Chart[] {
  const info = snapshots.map((s) => s.tcpInfo);
  const pick = (f: (t: NonNullable<Snapshot['tcpInfo']>) => number | null) => info.map((t) => (t === undefined ? null : f(t)));
  const rates = x.kind === 'seconds';
  const charts: Chart[] = [
    {
      id: 'throughput',
      title: 'Throughput',
      unit: 'Mbit/s',
      series: [
        ...(rates
          ? [
              { label: 'sent (Δ bytes_acked)', values: counterRate(x.values, info.map((t) => t?.bytesAcked)) },
              { label: 'received (Δ bytes_received)', values: counterRate(x.values, info.map((t) => t?.bytesReceived)) },
            ]
          : []),
        { label: 'delivery_rate', values: pick((t) => mbitPerSec(t.deliveryRate)) },
      ],
    },
    {
      id: 'cwnd',
      title: 'Congestion window',
      unit: 'segments',
      series: [
        { label: 'snd_cwnd', values: pick((t) => num(t.sndCwnd)) },
        { label: 'snd_ssthresh', values: pick((t) => (t.sndSsthresh === undefined || t.sndSsthresh >= TCP_INFINITE_SSTHRESH ? null : t.sndSsthresh)) },
      ],
    },
    {
      id: 'rtt',
      title: 'Round-trip time',
      unit: 'ms',
      series: [
        { label: 'rtt', values: pick((t) => ms(t.rtt)) },
        { label: 'min_rtt', values: pick((t) => (t.minRtt === NO_MIN_RTT ? null : ms(t.minRtt))) },
        { label: 'rttvar', values: pick((t) => ms(t.rttvar)) },
      ],
    },
    {
      id: 'loss',
      title: 'Retransmissions and losses',
      unit: 'segments',
      series: [
        { label: 'total_retrans', values: pick((t) => num(t.totalRetrans)) },
        { label: 'retrans (outstanding)', values: pick((t) => num(t.retrans)) },
        { label: 'lost', values: pick((t) => num(t.lost)) },
        { label: 'sacked', values: pick((t) => num(t.sacked)) },
      ],
    },
    {
      id: 'pacing',
      title: 'Pacing rate and BBR bandwidth',
      unit: 'Mbit/s',
      series: [
        { label: 'pacing_rate', values: pick((t) => (t.pacingRate === UNLIMITED_PACING ? null : mbitPerSec(t.pacingRate))) },
        { label: 'BBR bw', values: snapshots.map((s) => mbitPerSec(s.bbrInfo?.bw)) },
      ],
    },
    {
      id: 'rwnd',
      title: 'Receive window',
      unit: 'bytes',
      series: [
        { label: 'rcv_wnd', values: pick((t) => num(t.rcvWnd)) },
        { label: 'rcv_space', values: pick((t) => num(t.rcvSpace)) },
        { label: 'rcv_ssthresh', values: pick((t) => num(t.rcvSsthresh)) },
      ],
    },
  ];
  // A series without any value is noise in the legend; a chart without any, noise on the page.
  return charts.map((c) => ({ ...c, series: c.series.filter((s) => s.values.some((v) => v !== null)) })).filter(hasData);
}
