import { describe, expect, it } from 'vitest';
import type { ConnectionListEntry } from '@tcpinfo/eventsocket';
import { AF_INET6, decodeInetDiagMsg } from '@tcpinfo/inetdiag';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { decodeRecord, snapshotToJson } from '@tcpinfo/parse';
import { AnswerCache, FlowTable, answerJson, congestionOf, figuresOf, keyFields, listEntry, type FlowState } from '@tcpinfo/query';
import { tcpStateName } from '@tcpinfo/tcp';
import { KERNEL_6_18_FIXTURE, RAW_MESSAGES_FIXTURE, loadRawPayloads, v6 } from '@tcpinfo/testing';
import { record } from './records.js';

const T0 = 1_700_000_000_000;
const uuid = (n: number) => `host_1_unsafe_${n.toString(16).toUpperCase().padStart(16, '0')}`;

// The answers as they were built before the cache (one object, one
// JSON.stringify, the snapshot spliced in): the oracle the cached texts must
// equal byte for byte.
function oracleIdentity(flow: FlowState) {
  const idm = decodeInetDiagMsg(flow.latest.rawIdm!);
  const v6 = idm.family === AF_INET6;
  const ep = (a: string, p: number) => (v6 ? `[${a}]:${p}` : `${a}:${p}`);
  return {
    uuid: flow.uuid,
    cookie: `0x${flow.cookieHex.toLowerCase()}`,
    family: v6 ? ('ipv6' as const) : ('ipv4' as const),
    src: ep(idm.id.src, idm.id.sport),
    dst: ep(idm.id.dst, idm.id.dport),
    state: tcpStateName(idm.state),
  };
}
function oracleAnswer(flow: FlowState, nowMs: number): string {
  const closed = flow.closedAtMs !== undefined;
  const congestion = flow.congestion ?? congestionOf(flow.latest);
  const head = {
    ...oracleIdentity(flow),
    closed,
    ...(closed ? { closedAt: flow.closedAt! } : {}),
    ...(congestion !== undefined ? { congestion } : {}),
    figures: figuresOf(flow, closed ? flow.closedAtMs! : nowMs),
  };
  const text = JSON.stringify(head);
  return `${text.slice(0, -1)},"snapshot":${snapshotToJson(undefined, decodeRecord(flow.latest).snapshot)}}`;
}
function oracleListEntry(flow: FlowState): ConnectionListEntry {
  const k = keyFields(flow.latest);
  return { ...oracleIdentity(flow), bytesAcked: k.bytesAcked, bytesReceived: k.bytesReceived, rttUs: k.rttUs, cwnd: k.cwnd, deliveryRate: k.deliveryRate };
}

function setup(maxSnapshots?: number) {
  const clock = { ms: T0 };
  const table = new FlowTable({ retentionMs: 60_000, now: () => clock.ms });
  return { table, clock, cache: new AnswerCache(maxSnapshots) };
}

describe('AnswerCache', () => {
  it('answers as the uncached answer, cached until the next snapshot, which invalidates it', () => {
    const { table, cache } = setup();
    table.onRecord(uuid(1), record(T0, { bytesAcked: 100, rtt: 9000, minRtt: 8000, segsOut: 10 }, { cookie: 1n, state: 1 }));
    const flow = table.get(uuid(1))!;
    const first = cache.answerJson(flow, T0 + 5);
    expect(first).toBe(oracleAnswer(flow, T0 + 5));
    expect(first).toBe(answerJson(flow, T0 + 5));
    expect(cache.answerJson(flow, T0 + 5)).toBe(first);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);

    // A new snapshot (new counters, new state): the cached JSON is not served.
    table.onRecord(uuid(1), record(T0 + 10, { bytesAcked: 5000, rtt: 9500, minRtt: 8000, segsOut: 40, totalRetrans: 2 }, { cookie: 1n, state: 8 }));
    const second = cache.answerJson(flow, T0 + 15);
    expect(second).toBe(oracleAnswer(flow, T0 + 15));
    expect(second).not.toBe(first);
    expect(JSON.parse(second).snapshot.tcpInfo.bytesAcked).toBe(5000);
    expect(JSON.parse(second).state).toBe('CLOSE_WAIT');
    expect([cache.hits, cache.misses]).toEqual([1, 2]);

    // Time passing without a snapshot: the figures move, the snapshot stays cached.
    expect(cache.answerJson(flow, T0 + 3000)).toBe(oracleAnswer(flow, T0 + 3000));
    expect([cache.hits, cache.misses]).toEqual([2, 2]);
  });

  it('IPv6, no congestion control, and a closed flow answer as uncached', () => {
    const { table, clock, cache } = setup();
    const idm = { family: 10, src: v6('2001:0db8:0000:0000:0000:0000:0000:0001'), dst: v6('2001:0db8:0000:0000:0000:0000:0000:0002'), cookie: 2n };
    table.onRecord(uuid(2), record(T0, { bytesAcked: 1 }, idm, ''));
    const flow = table.get(uuid(2))!;
    expect(cache.answerJson(flow, T0)).toBe(oracleAnswer(flow, T0));
    clock.ms = T0 + 50;
    table.onClose(uuid(2), GoTime.fromUnixNanos(BigInt(T0 + 50) * 1_000_000n));
    expect(cache.answerJson(flow, T0 + 70)).toBe(oracleAnswer(flow, T0 + 70));
    expect(JSON.parse(cache.answerJson(flow, T0 + 70)).closed).toBe(true);
  });

  it('list entries as JSON.stringify of the uncached entry, before and after a new snapshot', () => {
    const { table, cache } = setup();
    table.onRecord(uuid(3), record(T0, { bytesAcked: 7, rtt: 100, sndCwnd: 10, deliveryRate: 12345n }, { cookie: 3n, state: 1, sport: 443, dport: 5555 }));
    const flow = table.get(uuid(3))!;
    expect(cache.listEntryJson(flow)).toBe(JSON.stringify(oracleListEntry(flow)));
    expect(JSON.stringify(listEntry(flow))).toBe(JSON.stringify(oracleListEntry(flow)));
    table.onRecord(uuid(3), record(T0 + 10, { bytesAcked: 70, rtt: 200, sndCwnd: 20 }, { cookie: 3n, state: 4, sport: 443, dport: 5555 }));
    expect(cache.listEntryJson(flow)).toBe(JSON.stringify(oracleListEntry(flow)));
    expect(JSON.parse(cache.listEntryJson(flow))).toMatchObject({ state: 'FIN_WAIT1', bytesAcked: 70, cwnd: 20 });
  });

  it('keeps at most maxSnapshots, the least recently asked going first', () => {
    const { table, cache } = setup(2);
    for (let i = 1; i <= 3; i++) table.onRecord(uuid(i), record(T0, { bytesAcked: i }, { cookie: BigInt(i) }));
    const [a, b, c] = [1, 2, 3].map((i) => table.get(uuid(i))!);
    cache.answerJson(a!, T0);
    cache.answerJson(b!, T0);
    cache.answerJson(a!, T0); // a is now the most recent
    cache.answerJson(c!, T0); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.misses).toBe(3);
    expect(cache.answerJson(a!, T0)).toBe(oracleAnswer(a!, T0));
    expect(cache.misses).toBe(3);
    expect(cache.answerJson(b!, T0)).toBe(oracleAnswer(b!, T0));
    expect(cache.misses).toBe(4);
  });
});

describe('answers of recorded kernel messages', () => {
  it('every message of the 6.18 and the older recordings answers as the uncached answer (snapshotToJson)', () => {
    const payloads = [...loadRawPayloads(KERNEL_6_18_FIXTURE), ...loadRawPayloads(RAW_MESSAGES_FIXTURE)];
    expect(payloads.length).toBeGreaterThan(400);
    const { table, cache } = setup();
    let n = 0;
    for (const payload of payloads) {
      const r = ArchivalRecord.fromMessage(payload, GoTime.fromUnixNanos(1_764_000_000_123_456_789n));
      if (r?.rawIdm === undefined) continue;
      table.onRecord(uuid(++n), r);
      const flow = table.get(uuid(n))!;
      expect(cache.answerJson(flow, T0)).toBe(oracleAnswer(flow, T0));
      expect(cache.listEntryJson(flow)).toBe(JSON.stringify(oracleListEntry(flow)));
    }
    expect(n).toBe(payloads.length);
  });
});
