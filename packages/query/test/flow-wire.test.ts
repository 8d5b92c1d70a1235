import { describe, expect, it } from 'vitest';
import { createAnonymizer, INET_DIAG_INFO } from '@tcpinfo/inetdiag';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { FlowTable, FlowWriter, answerJson, listEntry, readFlow, type FlowState } from '@tcpinfo/query';
import { buildIdm, buildPayload, KERNEL_6_18_FIXTURE, loadRawPayloads, RAW_MESSAGES_FIXTURE, v4, v6 } from '@tcpinfo/testing';
import { info, record } from './records.js';

const T0 = 1_700_000_000_000;
const uuid = (n: number) => `host_1_unsafe_${n.toString(16).toUpperCase().padStart(16, '0')}`;
const ts = (ms: number) => GoTime.fromUnixNanos(BigInt(ms) * 1_000_000n + 123_456n);

/** Every flow of `flows` across the wire (structured clone, as postMessage does), rebuilt. */
function acrossTheWire(flows: FlowState[]): FlowState[] {
  const w = new FlowWriter();
  for (const f of flows) w.add(f);
  const packed = structuredClone(w.finish());
  return flows.map((_, i) => readFlow(packed, i));
}

/** The flow's answers and list entry, as the query thread builds them, equal the polling thread's. */
function expectSameAnswers(flows: FlowState[], nowMs: number): void {
  const rebuilt = acrossTheWire(flows);
  flows.forEach((f, i) => {
    const r = rebuilt[i]!;
    expect(answerJson(r, nowMs)).toBe(answerJson(f, nowMs));
    expect(listEntry(r)).toEqual(listEntry(f));
    expect(r.snapshots).toBe(f.snapshots);
  });
}

describe('flows across the wire to the query thread', () => {
  it('answer byte for byte as the original flows: every recorded kernel message', () => {
    const payloads = [...loadRawPayloads(KERNEL_6_18_FIXTURE), ...loadRawPayloads(RAW_MESSAGES_FIXTURE)];
    const table = new FlowTable({ now: () => T0 });
    payloads.forEach((p, i) => table.onRecord(uuid(i + 1), ArchivalRecord.fromMessage(p, ts(T0))!));
    const flows = [...table.openFlows()];
    expect(flows).toHaveLength(payloads.length);
    expectSameAnswers(flows, T0 + 3);
  });

  it('running values, a closed flow, no congestion control, anonymized addresses, a record read from a line', () => {
    let clock = T0;
    const table = new FlowTable({ retentionMs: 60_000, now: () => clock });
    // Throughput anchors moved twice, then closed.
    for (const [k, ms] of [0, 400, 1200, 2500, 2600].entries()) table.onRecord(uuid(1), record(T0 + ms, { bytesAcked: 1000 * (k + 1), rtt: 900 + k, minRtt: 800, segsOut: 10 + k, totalRetrans: k }, { cookie: 1n }));
    clock = T0 + 2700;
    table.onClose(uuid(1), ts(T0 + 2700));
    // IPv6 without INET_DIAG_CONG.
    table.onRecord(uuid(2), record(T0, { bytesAcked: 5 }, { family: 10, src: v6('2001:db8::1'), dst: v6('2001:db8::2'), cookie: 2n }, ''));
    // Anonymized (netblock): the record's inet_diag_msg differs from its message's.
    const anonymized = ArchivalRecord.fromMessage(buildPayload(buildIdm({ src: v4('192.0.2.1'), dst: v4('198.51.100.7'), cookie: 3n }), [[INET_DIAG_INFO, info({ bytesAcked: 9 })]]), ts(T0), { anonymizer: createAnonymizer('netblock') })!;
    table.onRecord(uuid(3), anonymized);
    // A record read back from its line (no message behind it).
    table.onRecord(uuid(4), ArchivalRecord.parseLine(record(T0, { bytesAcked: 11 }, { cookie: 4n }).toJSONLine()));
    const flows = [table.get(uuid(1))!, ...table.openFlows()];
    expect(flows).toHaveLength(4);
    expectSameAnswers(flows, T0 + 5000);
    const [closed, , anon] = acrossTheWire(flows);
    expect(JSON.parse(answerJson(closed!, 0))).toMatchObject({ closed: true, figures: { snapshots: 5, durationSeconds: 2.6 } });
    expect(listEntry(anon!).dst).toBe('198.51.100.0:443');
  });

  it('a writer given a buffer to reuse starts empty and leaves the finished flows intact', () => {
    const table = new FlowTable({ now: () => T0 });
    for (let i = 1; i <= 3; i++) table.onRecord(uuid(i), record(T0, { bytesAcked: i }, { cookie: BigInt(i) }));
    const [a, b, c] = [...table.openFlows()];
    const first = new FlowWriter();
    first.add(a!);
    first.add(b!);
    const packed = first.finish();
    const again = new FlowWriter();
    again.add(c!);
    expect(readFlow(packed, 1).uuid).toBe(uuid(2));
    expect(listEntry(readFlow(packed, 1))).toEqual(listEntry(b!));
    expect(listEntry(readFlow(again.finish(), 0))).toEqual(listEntry(c!));
  });
});
