import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoTime } from '@tcpinfo/netlink';
import type { Snapshot } from '@tcpinfo/parse';
import { loadConnections } from '../src/load.js';
import { chartsOf, counterRate, xAxisOf } from '../src/series.js';
import { headerOf } from '../src/header.js';
import { ARCHIVE, FINWAIT2, NDT, writeLongConnection } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpinfo-view-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const series = (charts: ReturnType<typeof chartsOf>, chart: string, label: string) => charts.find((c) => c.id === chart)?.series.find((s) => s.label === label)?.values;

describe('series derivation', () => {
  it('rates are byte-counter deltas over time deltas, in Mbit/s, on the later snapshot', () => {
    expect(counterRate([0, 0.5, 1.5, 1.5, 2], [0n, 125_000n, 375_000n, 400_000n, 100n])).toEqual([null, 2, 2, null, null]);
    expect(counterRate([0, 1, 2], [10n, undefined, 20n])).toEqual([null, null, null]);
  });

  it('x is seconds since the first snapshot; snapshot numbers when records have no timestamps', () => {
    const at = (ns: bigint) => ({ timestamp: GoTime.fromUnixNanos(ns) }) as Snapshot;
    expect(xAxisOf([at(5_000_000_000n), at(5_250_000_000n), at(7_000_000_001n)])).toEqual({ kind: 'seconds', values: [0, 0.25, 2.000000001] });
    expect(xAxisOf([at(1n), { timestamp: GoTime.ZERO } as Snapshot])).toEqual({ kind: 'snapshot', values: [1, 2] });
  });

  it('a long synthetic connection: every chart value is the kernel value in the chart unit', async () => {
    const path = join(dir, 'long.jsonl');
    const truth = await writeLongConnection(path, 1000);
    const [conn] = await loadConnections([path]);
    const x = xAxisOf(conn!.snapshots);
    const charts = chartsOf(conn!.snapshots, x);
    expect(series(charts, 'rtt', 'rtt')).toEqual(truth.rttUsec.map((u) => u / 1000));
    // 14,480 bytes per 10 ms = 11.584 Mbit/s.
    expect(series(charts, 'throughput', 'sent (Δ bytes_acked)')!.slice(1).every((v) => Math.abs(v! - 11.584) < 1e-9)).toBe(true);
    expect(x.values.at(-1)).toBeCloseTo(9.99, 9);
  });

  it('the NDT recording: sentinels become gaps, cubic has no BBR series, every chart has data', async () => {
    const [conn] = await loadConnections([NDT]);
    const charts = chartsOf(conn!.snapshots, xAxisOf(conn!.snapshots));
    expect(charts.map((c) => c.id)).toEqual(['throughput', 'cwnd', 'rtt', 'loss', 'pacing', 'rwnd']);
    expect(series(charts, 'pacing', 'BBR bw')).toBeUndefined();
    expect(series(charts, 'cwnd', 'snd_cwnd')![0]).toBe(conn!.snapshots[0]!.tcpInfo!.sndCwnd);
    for (const c of charts) expect(c.series.every((s) => s.values.length === conn!.snapshots.length)).toBe(true);
  });

  it('without timestamps there is no counter-delta throughput, only the kernel\'s delivery rate', async () => {
    const conns = await loadConnections([ARCHIVE]);
    const charts = chartsOf(conns[0]!.snapshots, xAxisOf(conns[0]!.snapshots));
    expect(charts.find((c) => c.id === 'throughput')!.series.map((s) => s.label)).toEqual(['delivery_rate']);
  });

  it('the header: addresses, duration, final counters and state from the parse library\'s summary', async () => {
    const [conn] = await loadConnections([FINWAIT2]);
    const h = headerOf(conn!);
    expect(h).toMatchObject({
      name: 'gfr14.nyc.corp.google.com_1554836592_unsafe_000000000135A272',
      local: '100.101.236.52:34018',
      remote: '216.239.32.41:443',
      finalState: 'FIN_WAIT2',
      snapshots: 62,
    });
    expect(h.start).toMatch(/-04:00$/);
    expect(h.durationSec).toBeGreaterThan(0);
    expect(BigInt(h.bytesSent!)).toBeGreaterThan(0n);
  });
});
