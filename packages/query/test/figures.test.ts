import { describe, expect, it } from 'vitest';
import { FlowState, figuresOf, keyFields, THROUGHPUT_WINDOW_MS } from '@tcpinfo/query';
import { record, UUID } from './records.js';

const T0 = 1_700_000_000_000;

function flowOver(samples: readonly [ms: number, bytesAcked: number][]): FlowState {
  const [first, ...rest] = samples;
  const flow = new FlowState(UUID, '0000000000001234', record(first![0], { bytesAcked: first![1] }), first![0]);
  for (const [ms, b] of rest) flow.observe(record(ms, { bytesAcked: b }), ms);
  return flow;
}

describe('key fields', () => {
  it('reads the tcp_info fields by the field table, minRtt ~0U as no sample', () => {
    const k = keyFields(record(T0, { rtt: 12_000, rttvar: 3_000, minRtt: 0xffffffff, sndCwnd: 10, totalRetrans: 2, segsOut: 40, bytesAcked: 2n ** 40n, bytesReceived: 7n, deliveryRate: 125_000n }));
    expect(k).toEqual({ rttUs: 12_000, rttVarUs: 3_000, minRttUs: null, cwnd: 10, totalRetrans: 2, segsOut: 40, bytesAcked: 2 ** 40, bytesReceived: 7, deliveryRate: 125_000 });
  });
});

describe('figures', () => {
  it('duration from the first snapshot to the latest, to the nanosecond', () => {
    const flow = flowOver([[T0, 0], [T0 + 2_500, 10]]);
    expect(figuresOf(flow, T0 + 2_500).durationSeconds).toBe(2.5);
    expect(flow.snapshots).toBe(2);
  });

  it('throughput over a window of 1–2 s ending at the latest snapshot', () => {
    // 1 MB/s steady, a snapshot every 10 ms for 5 s.
    const samples: [number, number][] = [];
    for (let t = 0; t <= 5_000; t += 10) samples.push([T0 + t, t * 1000]);
    const flow = flowOver(samples);
    const f = figuresOf(flow, T0 + 5_000);
    expect(f.throughputWindowSeconds).toBeGreaterThanOrEqual(1);
    expect(f.throughputWindowSeconds).toBeLessThan(2);
    expect(f.throughputBitsPerSecond).toBeCloseTo(8e6, 6);
  });

  it('a rate change shows within two seconds', () => {
    const samples: [number, number][] = [];
    let bytes = 0;
    for (let t = 0; t <= 10_000; t += 10) {
      bytes += t < 5_000 ? 10_000 : 1_000; // 1 MB/s, then 100 kB/s
      samples.push([T0 + t, bytes]);
    }
    expect(figuresOf(flowOver(samples), T0 + 10_000).throughputBitsPerSecond).toBeCloseTo(8e5, 6);
  });

  it('a young connection: the window is its whole life', () => {
    const f = figuresOf(flowOver([[T0, 0], [T0 + 500, 50_000]]), T0 + 500);
    expect(f.throughputWindowSeconds).toBe(0.5);
    expect(f.throughputBitsPerSecond).toBe(800_000);
  });

  it('no snapshot for a second before the query: nothing acknowledged, throughput 0', () => {
    const flow = flowOver([[T0, 0], [T0 + 500, 50_000]]);
    const f = figuresOf(flow, T0 + 500 + THROUGHPUT_WINDOW_MS);
    expect(f.throughputBitsPerSecond).toBe(0);
    expect(f.throughputWindowSeconds).toBe(1);
  });

  it('a single snapshot: throughput 0 over an empty window', () => {
    const f = figuresOf(flowOver([[T0, 123]]), T0);
    expect(f).toMatchObject({ throughputBitsPerSecond: 0, throughputWindowSeconds: 0, durationSeconds: 0, snapshots: 1 });
  });

  it('RTT figures and the retransmit ratio from the latest snapshot', () => {
    const flow = new FlowState(UUID, '0000000000001234', record(T0, { rtt: 50_000, minRtt: 40_000, rttvar: 9_000 }), T0);
    flow.observe(record(T0 + 10, { rtt: 30_000, minRtt: 20_000, rttvar: 4_000, totalRetrans: 3, segsOut: 60 }), T0 + 10);
    expect(figuresOf(flow, T0 + 10)).toMatchObject({ minRttUs: 20_000, smoothedRttUs: 30_000, rttVarUs: 4_000, retransmittedSegments: 3, sentSegments: 60, retransmitRatio: 0.05 });
  });

  it('nothing sent: ratio 0, not NaN', () => {
    expect(figuresOf(flowOver([[T0, 0]]), T0).retransmitRatio).toBe(0);
  });
});
