import { describe, expect, it } from 'vitest';
import { GoTime } from '@tcpinfo/netlink';
import { FlowTable, summarizeClosed, type FlowState } from '@tcpinfo/query';
import { record } from './records.js';

const T0 = 1_700_000_000_000;
const uuid = (n: number) => `host_1_unsafe_${n.toString(16).toUpperCase().padStart(16, '0')}`;

function table(retentionMs = 10_000, maxRetained?: number) {
  const clock = { ms: T0 };
  const closed: FlowState[] = [];
  const t = new FlowTable({ retentionMs, now: () => clock.ms, onClosed: (f) => closed.push(f), ...(maxRetained !== undefined ? { maxRetained } : {}) });
  return { t, clock, closed };
}

describe('FlowTable', () => {
  it('one state per connection, found by UUID and by cookie', () => {
    const { t } = table();
    t.onRecord(uuid(0x1234), record(T0, { bytesAcked: 1 }, { cookie: 0x1234n }));
    t.onRecord(uuid(0x1234), record(T0 + 10, { bytesAcked: 2 }, { cookie: 0x1234n }));
    t.onRecord(uuid(0x99), record(T0 + 10, {}, { cookie: 0x99n }));
    expect(t.openCount).toBe(2);
    expect(t.get(uuid(0x1234))?.snapshots).toBe(2);
    expect(t.getByCookie('0000000000001234')).toBe(t.get(uuid(0x1234)));
    expect([...t.openFlows()].map((f) => f.uuid)).toEqual([uuid(0x1234), uuid(0x99)]);
    expect(t.get('nope')).toBeUndefined();
  });

  it('a closed flow is summarized once, answered closed for the retention, then forgotten', () => {
    const { t, clock, closed } = table(10_000);
    t.onRecord(uuid(1), record(T0, {}));
    clock.ms = T0 + 100;
    t.onClose(uuid(1), GoTime.fromUnixNanos(BigInt(T0 + 100) * 1_000_000n));
    t.onClose(uuid(1), GoTime.fromUnixNanos(BigInt(T0 + 100) * 1_000_000n)); // twice: no second summary
    expect(closed).toHaveLength(1);
    expect(t.openCount).toBe(0);
    expect(t.get(uuid(1))?.closedAt).toBe('2023-11-14T22:13:20.1Z');
    clock.ms = T0 + 100 + 9_999;
    expect(t.getByCookie('0000000000000001')).toBeDefined();
    clock.ms = T0 + 100 + 10_000;
    expect(t.get(uuid(1))).toBeUndefined();
    expect(t.getByCookie('0000000000000001')).toBeUndefined();
    expect(t.retainedCount).toBe(0);
  });

  it('retention 0 forgets at once but still summarizes', () => {
    const { t, closed } = table(0);
    t.onRecord(uuid(1), record(T0, {}));
    t.onClose(uuid(1), GoTime.fromUnixNanos(BigInt(T0) * 1_000_000n));
    expect(closed).toHaveLength(1);
    expect(t.get(uuid(1))).toBeUndefined();
    expect(t.getByCookie('0000000000000001')).toBeUndefined();
  });

  it('at most maxRetained closed flows, oldest forgotten first', () => {
    const { t } = table(60_000, 3);
    for (let i = 1; i <= 5; i++) {
      t.onRecord(uuid(i), record(T0, {}));
      t.onClose(uuid(i), GoTime.fromUnixNanos(BigInt(T0) * 1_000_000n));
    }
    expect(t.retainedCount).toBe(3);
    expect(t.get(uuid(2))).toBeUndefined();
    expect(t.get(uuid(3))).toBeDefined();
  });

  it('a close without records (never written) is ignored', () => {
    const { t, closed } = table();
    t.onClose(uuid(7), GoTime.fromUnixNanos(0n));
    expect(closed).toHaveLength(0);
  });
});

describe('summarizeClosed', () => {
  it('labels by family and congestion control; values of the final snapshot', () => {
    const { t, closed } = table();
    t.onRecord(uuid(1), record(T0, { minRtt: 90_000, bytesAcked: 10 }, { family: 10 }, 'bbr'));
    t.onRecord(uuid(1), record(T0 + 1_500, { minRtt: 80_000, bytesAcked: 5000, totalRetrans: 1, segsOut: 8 }, { family: 10 }, 'bbr'));
    t.onClose(uuid(1), GoTime.fromUnixNanos(0n));
    expect(summarizeClosed(closed[0]!)).toEqual({ af: 'ipv6', cc: 'bbr', durationSeconds: 1.5, minRttSeconds: 0.08, bytesAcked: 5000, retransmitRatio: 0.125 });
  });

  it('the congestion control of an earlier snapshot when the final one lacks it (destroy notifications)', () => {
    const { t, closed } = table();
    t.onRecord(uuid(1), record(T0, {}, {}, 'bbr'));
    t.onRecord(uuid(1), record(T0 + 5, {}, {}, ''));
    t.onClose(uuid(1), GoTime.fromUnixNanos(0n));
    expect(summarizeClosed(closed[0]!).cc).toBe('bbr');
  });

  it('no RTT sample: no min RTT; no congestion attribute: unknown', () => {
    const { t, closed } = table();
    t.onRecord(uuid(1), record(T0, { minRtt: 0xffffffff }, {}, ''));
    t.onClose(uuid(1), GoTime.fromUnixNanos(0n));
    expect(summarizeClosed(closed[0]!)).toMatchObject({ af: 'ipv4', cc: 'unknown', minRttSeconds: undefined, retransmitRatio: 0 });
  });
});
