import type { Snapshot } from '@tcpinfo/parse';
import { Float64Column } from './column.js';
import { CounterRate } from './counter-rate.js';

/** One line of a chart: a value per snapshot, NaN for a gap (written as `null` into the page). */
export interface ChartSeries {
  readonly label: string;
  readonly values: Float64Array;
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
  readonly values: Float64Array;
}

type TcpInfo = NonNullable<Snapshot['tcpInfo']>;

/** How one series gets its value from a snapshot. */
interface SeriesSpec {
  readonly label: string;
  /** The value at a snapshot; NaN for none. */
  readonly value?: (s: Snapshot) => number;
  /** Or: a byte counter whose rate since the previous snapshot is the value (left out without timestamps). */
  readonly counter?: (t: TcpInfo) => bigint | undefined;
}

interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly SeriesSpec[];
}

/** Kernel sentinels that mean "no value" rather than a number. */
const TCP_INFINITE_SSTHRESH = 0x7fffffff;
const NO_MIN_RTT = 0xffffffff;
const UNLIMITED_PACING = 0xffffffffffffffffn;

const mbitPerSec = (bytesPerSec: bigint | undefined): number => (bytesPerSec === undefined ? Number.NaN : (Number(bytesPerSec) * 8) / 1e6);
const ms = (usec: number | undefined): number => (usec === undefined ? Number.NaN : usec / 1000);
const num = (v: number | undefined): number => (v === undefined ? Number.NaN : v);
/** A tcp_info field's value; NaN when the snapshot has no tcp_info. */
const info = (f: (t: TcpInfo) => number) => (s: Snapshot) => (s.tcpInfo === undefined ? Number.NaN : f(s.tcpInfo));

/**
 * The charts, in page order: throughput (byte-counter deltas and the kernel's
 * delivery rate), cwnd and ssthresh, RTT, retransmissions and losses, pacing
 * rate and BBR bandwidth, receive window.
 */
const CHARTS: readonly ChartSpec[] = [
  {
    id: 'throughput',
    title: 'Throughput',
    unit: 'Mbit/s',
    series: [
      { label: 'sent (Δ bytes_acked)', counter: (t) => t.bytesAcked },
      { label: 'received (Δ bytes_received)', counter: (t) => t.bytesReceived },
      { label: 'delivery_rate', value: info((t) => mbitPerSec(t.deliveryRate)) },
    ],
  },
  {
    id: 'cwnd',
    title: 'Congestion window',
    unit: 'segments',
    series: [
      { label: 'snd_cwnd', value: info((t) => num(t.sndCwnd)) },
      { label: 'snd_ssthresh', value: info((t) => (t.sndSsthresh === undefined || t.sndSsthresh >= TCP_INFINITE_SSTHRESH ? Number.NaN : t.sndSsthresh)) },
    ],
  },
  {
    id: 'rtt',
    title: 'Round-trip time',
    unit: 'ms',
    series: [
      { label: 'rtt', value: info((t) => ms(t.rtt)) },
      { label: 'min_rtt', value: info((t) => (t.minRtt === NO_MIN_RTT ? Number.NaN : ms(t.minRtt))) },
      { label: 'rttvar', value: info((t) => ms(t.rttvar)) },
    ],
  },
  {
    id: 'loss',
    title: 'Retransmissions and losses',
    unit: 'segments',
    series: [
      { label: 'total_retrans', value: info((t) => num(t.totalRetrans)) },
      { label: 'retrans (outstanding)', value: info((t) => num(t.retrans)) },
      { label: 'lost', value: info((t) => num(t.lost)) },
      { label: 'sacked', value: info((t) => num(t.sacked)) },
    ],
  },
  {
    id: 'pacing',
    title: 'Pacing rate and BBR bandwidth',
    unit: 'Mbit/s',
    series: [
      { label: 'pacing_rate', value: info((t) => (t.pacingRate === UNLIMITED_PACING ? Number.NaN : mbitPerSec(t.pacingRate))) },
      { label: 'BBR bw', value: (s) => mbitPerSec(s.bbrInfo?.bw) },
    ],
  },
  {
    id: 'rwnd',
    title: 'Receive window',
    unit: 'bytes',
    series: [
      { label: 'rcv_wnd', value: info((t) => num(t.rcvWnd)) },
      { label: 'rcv_space', value: info((t) => num(t.rcvSpace)) },
      { label: 'rcv_ssthresh', value: info((t) => num(t.rcvSsthresh)) },
    ],
  },
];

/** One series being folded: its column and, for a counter, the rate's state. */
interface SeriesFold {
  readonly spec: SeriesSpec;
  readonly column: Float64Column;
  readonly rate?: CounterRate;
}

/** A connection's x axis and charts. */
export interface ConnectionSeries {
  readonly x: XAxis;
  readonly charts: Chart[];
}

/**
 * Folds a connection's snapshots, as they are read, into its x axis and chart
 * series: a few float64 per snapshot, so the snapshot itself can be dropped.
 * x is seconds since the first snapshot (from the bigint nanoseconds), or
 * snapshot numbers (1, 2, …) when any snapshot has the zero time (the
 * original's header-less archives do); then there are no counter rates.
 */
export class SeriesBuilder {
  readonly #seconds = new Float64Column();
  readonly #charts: readonly (readonly SeriesFold[])[] = CHARTS.map((chart) =>
    chart.series.map((spec) => (spec.counter !== undefined ? { spec, column: new Float64Column(), rate: new CounterRate() } : { spec, column: new Float64Column() })),
  );
  #startNanos: bigint | undefined;
  #zeroTimes = false;

  /** Folds the next snapshot of the connection. */
  add(snapshot: Snapshot): void {
    const time = snapshot.timestamp;
    if (time.isZero()) this.#zeroTimes = true;
    this.#startNanos ??= time.unixNanos;
    const seconds = Number(time.unixNanos - this.#startNanos) / 1e9;
    this.#seconds.push(seconds);
    for (const chart of this.#charts) {
      for (const { spec, column, rate } of chart) {
        if (rate !== undefined) {
          const t = snapshot.tcpInfo;
          column.push(rate.next(seconds, t === undefined ? undefined : spec.counter!(t)));
        } else {
          column.push(spec.value!(snapshot));
        }
      }
    }
  }

  /** Gives back the columns' growth slack: call when the connection has no more snapshots. */
  trim(): void {
    this.#seconds.trim();
    for (const chart of this.#charts) for (const { column } of chart) column.trim();
  }

  /** Snapshots folded so far. */
  get length(): number {
    return this.#seconds.length;
  }

  /**
   * The x axis and the charts. A series without any value is left out (noise
   * in the legend), and so is a chart without any series (noise on the page).
   */
  build(): ConnectionSeries {
    const bySeconds = this.length > 0 && !this.#zeroTimes;
    const x: XAxis = bySeconds
      ? { kind: 'seconds', values: this.#seconds.values() }
      : { kind: 'snapshot', values: Float64Array.from({ length: this.length }, (_, i) => i + 1) };
    const charts: Chart[] = [];
    CHARTS.forEach((spec, i) => {
      const series = this.#charts[i]!.filter((f) => f.column.hasValue && (bySeconds || f.rate === undefined)).map((f) => ({ label: f.spec.label, values: f.column.values() }));
      if (series.length > 0) charts.push({ id: spec.id, title: spec.title, unit: spec.unit, series });
    });
    return { x, charts };
  }
}

/** The x axis and charts of snapshots already in memory (tests, small inputs). */
export function seriesOf(snapshots: Iterable<Snapshot>): ConnectionSeries {
  const builder = new SeriesBuilder();
  for (const s of snapshots) builder.add(s);
  return builder.build();
}
