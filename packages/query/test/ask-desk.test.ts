import { describe, expect, it } from 'vitest';
import { GoTime } from '@tcpinfo/netlink';
import { AskDesk, FlowTable, readFlow, type Ask } from '@tcpinfo/query';
import { record } from './records.js';

const T0 = 1_700_000_000_000;
const uuid = (n: number) => `host_1_unsafe_${n.toString(16).toUpperCase().padStart(16, '0')}`;

function setup(n: number, listChunk = 2) {
  const clock = { ms: T0 };
  const table = new FlowTable({ retentionMs: 1000, now: () => clock.ms });
  for (let i = 1; i <= n; i++) table.onRecord(uuid(i), record(T0, { bytesAcked: i }, { cookie: BigInt(i) }));
  return { table, clock, desk: new AskDesk(table, listChunk) };
}

/** The UUIDs answering each ask of a batch, and whether each ended. */
function answer(desk: AskDesk, asks: Ask[]) {
  const m = desk.answer(asks);
  return m.answers.map((a) => ({ id: a.id, done: a.done, uuids: Array.from({ length: a.count }, (_, i) => readFlow(m.flows, a.first + i).uuid) }));
}

describe('AskDesk (the polling thread answering the query thread)', () => {
  it('answers by UUID and by cookie, nothing for unknown ones, with the table clock', () => {
    const { desk, clock } = setup(3);
    clock.ms = T0 + 42;
    expect(answer(desk, [
      { id: 1, by: 'uuid', key: uuid(2) },
      { id: 2, by: 'cookie', key: '0000000000000003' },
      { id: 3, by: 'uuid', key: uuid(9) },
      { id: 4, by: 'cookie', key: '0000000000000009' },
    ])).toEqual([
      { id: 1, done: true, uuids: [uuid(2)] },
      { id: 2, done: true, uuids: [uuid(3)] },
      { id: 3, done: true, uuids: [] },
      { id: 4, done: true, uuids: [] },
    ]);
    expect(desk.answer([]).nowMs).toBe(T0 + 42);
    expect([desk.batches, desk.asks]).toEqual([2, 4]);
  });

  it('a closed flow is answered until the retention is over', () => {
    const { desk, table, clock } = setup(1);
    table.onClose(uuid(1), GoTime.fromUnixNanos(BigInt(T0) * 1_000_000n));
    expect(answer(desk, [{ id: 1, by: 'uuid', key: uuid(1) }])[0]!.uuids).toEqual([uuid(1)]);
    clock.ms = T0 + 1000;
    expect(answer(desk, [{ id: 2, by: 'uuid', key: uuid(1) }])[0]!.uuids).toEqual([]);
  });

  it('lists the open flows a chunk per ask; a listing ended early is forgotten', () => {
    const { desk } = setup(5);
    expect(answer(desk, [{ id: 7, by: 'list' }, { id: 8, by: 'list' }])).toEqual([
      { id: 7, done: false, uuids: [uuid(1), uuid(2)] },
      { id: 8, done: false, uuids: [uuid(1), uuid(2)] },
    ]);
    expect(desk.listings).toBe(2);
    expect(answer(desk, [{ id: 9, by: 'more', list: 7 }, { id: 10, by: 'end', list: 8 }])).toEqual([
      { id: 9, done: false, uuids: [uuid(3), uuid(4)] },
      { id: 10, done: true, uuids: [] },
    ]);
    expect(answer(desk, [{ id: 11, by: 'more', list: 7 }])).toEqual([{ id: 11, done: true, uuids: [uuid(5)] }]);
    expect(desk.listings).toBe(0);
    // An unknown listing (ended, or never begun) is over.
    expect(answer(desk, [{ id: 12, by: 'more', list: 7 }])).toEqual([{ id: 12, done: true, uuids: [] }]);
    expect(answer(desk, [{ id: 13, by: 'list' }])).toHaveLength(1);
    desk.clear();
    expect(desk.listings).toBe(0);
  });

  it('an empty table lists nothing, done at once', () => {
    const { desk } = setup(0);
    expect(answer(desk, [{ id: 1, by: 'list' }])).toEqual([{ id: 1, done: true, uuids: [] }]);
    expect(desk.listings).toBe(0);
  });
});
