import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GoTime } from '@tcpinfo/netlink';
import { readSnapshots, summarize, type Snapshot } from '@tcpinfo/parse';
import { tcpStateName } from '@tcpinfo/tcp';
import { loadConnections } from '../src/load.js';
import { counterRate, CounterRate } from '../src/counter-rate.js';
import { seriesOf, type Chart } from '../src/series.js';
import { headerOf } from '../src/header.js';
import { ARCHIVE, FINWAIT2, NDT, writeLongConnection } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpinfo-view-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A series' values as an array, gaps as null (as the page receives them). */
const series = (charts: readonly Chart[], chart: string, label: string) => {
  const values = charts.find((c) => c.id === chart)?.series.find((s) => s.label === label)?.values;
  return values === undefined ? undefined : Array.from(values, (v) => (Number.isNaN(v) ? null : v));
};
async function snapshotsOf(path: string): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for await (const { metadata, snapshot } of readSnapshots(path)) if (metadata === undefined) out.push(snapshot);
  return out;
}

describe('series derivation', () => {
  it('rates are byte-counter deltas over time deltas, in Mbit/s, on the later snapshot', () => {
    expect(counterRate([0, 0.5, 1.5, 1.5, 2], [0n, 125_000n, 375_000n, 400_000n, 100n])).toEqual([null, 2, 2, null, null]);
    expect(counterRate([0, 1, 2], [10n, undefined, 20n])).toEqual([null, null, null]);
  });

  it('folded one snapshot at a time, the rate uses only its neighbour: equals the pairwise definition', () => {
    const step = fc.record({ dt: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 10, noNaN: true })), counter: fc.option(fc.bigInt({ min: 0n, max: 1n << 64n }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 50 }), (steps) => {
        let t = 0;
        const seconds = steps.map((s) => (t += s.dt));
        const counters = steps.map((s) => s.counter);
        const rate = new CounterRate();
        const folded = steps.map((_, i) => rate.next(seconds[i]!, counters[i]));
        const pairwise = counters.map((c, i) => {
          const prev = counters[i - 1];
          if (i === 0 || c === undefined || prev === undefined || c < prev || seconds[i] === seconds[i - 1]) return Number.NaN;
          return (Number(c - prev) * 8) / (seconds[i]! - seconds[i - 1]!) / 1e6;
        });
        expect(folded).toEqual(pairwise);
      }),
    );
  });

  it('x is seconds since the first snapshot; snapshot numbers when records have no timestamps', () => {
    const at = (ns: bigint) => ({ timestamp: GoTime.fromUnixNanos(ns) }) as Snapshot;
    const x = (snaps: Snapshot[]) => {
      const axis = seriesOf(snaps).x;
      return { kind: axis.kind, values: Array.from(axis.values) };
    };
    expect(x([at(5_000_000_000n), at(5_250_000_000n), at(7_000_000_001n)])).toEqual({ kind: 'seconds', values: [0, 0.25, 2.000000001] });
    // Nanoseconds since the epoch exceed 2^53: the difference is taken in bigint, then converted.
    expect(x([at(1_553_815_964_000_000_001n), at(1_553_815_964_000_000_002n)]).values).toEqual([0, 1e-9]);
    expect(x([at(1n), { timestamp: GoTime.ZERO } as Snapshot])).toEqual({ kind: 'snapshot', values: [1, 2] });
    expect(x([])).toEqual({ kind: 'snapshot', values: [] });
  });

  it('a long synthetic connection: every chart value is the kernel value in the chart unit', async () => {
    const path = join(dir, 'long.jsonl');
    const truth = await writeLongConnection(path, 1000);
    const [conn] = await loadConnections([path]);
    const { x, charts } = conn!.series.build();
    expect(series(charts, 'rtt', 'rtt')).toEqual(truth.rttUsec.map((u) => u / 1000));
    // 14,480 bytes per 10 ms = 11.584 Mbit/s.
    const sent = series(charts, 'throughput', 'sent (Δ bytes_acked)')!;
    expect(sent[0]).toBeNull();
    expect(sent.slice(1).every((v) => Math.abs(v! - 11.584) < 1e-9)).toBe(true);
    expect(x.values.at(-1)).toBeCloseTo(9.99, 9);
  });

  it('the recordings: folded while reading, every value is its snapshot\'s field in the chart unit, sentinels are gaps', async () => {
    for (const path of [NDT, FINWAIT2]) {
      const snaps = await snapshotsOf(path);
      const [conn] = await loadConnections([path]);
      const { x, charts } = conn!.series.build();
      expect(x.kind).toBe('seconds');
      for (const c of charts) expect(c.series.every((s) => s.values.length === snaps.length)).toBe(true);
      // A series without any value is left out of its chart.
      const field = (f: (t: NonNullable<Snapshot['tcpInfo']>) => number | null | undefined) => {
        const values = snaps.map((s) => (s.tcpInfo === undefined ? null : (f(s.tcpInfo) ?? null)));
        return values.every((v) => v === null) ? undefined : values;
      };
      expect(series(charts, 'cwnd', 'snd_cwnd')).toEqual(field((t) => t.sndCwnd));
      expect(series(charts, 'cwnd', 'snd_ssthresh')).toEqual(field((t) => (t.sndSsthresh! >= 0x7fffffff ? null : t.sndSsthresh)));
      expect(series(charts, 'rtt', 'min_rtt')).toEqual(field((t) => (t.minRtt === 0xffffffff ? null : t.minRtt! / 1000)));
      expect(series(charts, 'loss', 'total_retrans')).toEqual(field((t) => t.totalRetrans));
      expect(series(charts, 'rwnd', 'rcv_space')).toEqual(field((t) => t.rcvSpace));
      const received = series(charts, 'throughput', 'received (Δ bytes_received)')!;
      snaps.forEach((s, i) => {
        const prev = snaps[i - 1]?.tcpInfo?.bytesReceived;
        const now = s.tcpInfo?.bytesReceived;
        const dt = x.values[i]! - x.values[i - 1]!;
        const expected = i === 0 || prev === undefined || now === undefined || now < prev || !(dt > 0) ? null : (Number(now - prev) * 8) / dt / 1e6;
        expect(received[i]).toBe(expected);
      });
    }
  });

  it('the NDT recording: cubic has no BBR series, every chart has data', async () => {
    const [conn] = await loadConnections([NDT]);
    const { charts } = conn!.series.build();
    expect(charts.map((c) => c.id)).toEqual(['throughput', 'cwnd', 'rtt', 'loss', 'pacing', 'rwnd']);
    expect(series(charts, 'pacing', 'BBR bw')).toBeUndefined();
  });

  it('without timestamps there is no counter-delta throughput, only the kernel\'s delivery rate', async () => {
    const conns = await loadConnections([ARCHIVE]);
    const { x, charts } = conns[0]!.series.build();
    expect(x.kind).toBe('snapshot');
    expect(charts.find((c) => c.id === 'throughput')!.series.map((s) => s.label)).toEqual(['delivery_rate']);
  });

  it('the header: addresses, duration, final counters and state from the parse library\'s summary', async () => {
    const [conn] = await loadConnections([FINWAIT2]);
    const h = conn!.header.build(conn!);
    expect(h).toMatchObject({
      name: 'gfr14.nyc.corp.google.com_1554836592_unsafe_000000000135A272',
      local: '100.101.236.52:34018',
      remote: '216.239.32.41:443',
      finalState: 'FIN_WAIT2',
      snapshots: 62,
    });
    expect(h.start).toMatch(/-04:00$/);
    const snaps = await snapshotsOf(FINWAIT2);
    const summary = summarize(snaps);
    expect(h.durationSec).toBe(Number(summary.durationNanos) / 1e9);
    expect(h.durationSec).toBeGreaterThan(0);
    expect(h.bytesSent).toBe(summary.bytesSent!.toString());
    expect(h.bytesAcked).toBe(summary.bytesAcked!.toString());
    expect(h.retransmissions).toBe(summary.retransmissions);
    expect(h.finalState).toBe(tcpStateName(snaps.filter((s) => s.idm !== undefined).at(-1)!.idm!.state));
    // Folded while reading or over snapshots in memory: the same header.
    expect(headerOf(conn!, snaps)).toEqual(h);
  });
});
