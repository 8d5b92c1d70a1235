import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listConnections, queryConnection } from '@tcpinfo/eventsocket';
import { GoTime } from '@tcpinfo/netlink';
import { FlowTable, QueryServer } from '@tcpinfo/query';
import { record } from './records.js';

const T0 = Date.now();
const uuid = (n: number) => `host_1_unsafe_${n.toString(16).toUpperCase().padStart(16, '0')}`;
const FIXTURE = fileURLToPath(new URL('./fixtures/listen-and-return.mjs', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'query-idle-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the query socket with no client', () => {
  it('costs the polling thread nothing: 1,000 cycles of records and closes, not one batch, not one ask', async () => {
    const path = join(dir, 'query.sock');
    const table = new FlowTable({ retentionMs: 60_000 });
    const server = new QueryServer(table);
    await server.listen(path);
    try {
      // Cycles as the saver drives the table: 100 busy flows, each with a new
      // snapshot per cycle, one closing and one opening every 10 cycles; a turn
      // of the event loop between cycles (where a timer or message would run).
      let next = 100;
      for (let cycle = 0; cycle < 1000; cycle++) {
        if (cycle % 10 === 9) {
          table.onClose(uuid(next - 100), GoTime.fromUnixNanos(BigInt(T0 + cycle * 10) * 1_000_000n));
          next++;
        }
        for (let i = next - 100; i < next; i++) table.onRecord(uuid(i), record(T0 + cycle * 10, { bytesAcked: cycle }, { cookie: BigInt(i) }));
        await new Promise((r) => setImmediate(r));
      }
      expect(table.openCount).toBe(100);
      expect(server.stats).toMatchObject({ clients: 0, requests: 0, batches: 0, asks: 0 });
      // A client's query is what makes work: one ask, in one batch.
      expect((await queryConnection(path, uuid(next - 1)))?.uuid).toBe(uuid(next - 1));
      expect(server.stats).toMatchObject({ requests: 1, batches: 1, asks: 1 });
      // A listing of 100 flows in chunks of 256: one ask.
      expect(await listConnections(path)).toHaveLength(100);
      expect(server.stats).toMatchObject({ requests: 2, batches: 2, asks: 2 });
    } finally {
      await server.close();
    }
    expect(existsSync(path)).toBe(false);
  });

  it('adds nothing to the main thread that keeps the process alive; a process that only listens exits, its socket file removed', async () => {
    const path = join(dir, 'query.sock');
    const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE, path], { encoding: 'utf8', timeout: 20_000 });
    const { before, after, path: listened } = JSON.parse(stdout) as { before: string[]; after: string[]; path: string };
    expect(listened).toBe(path);
    // (A close request of the start-up may be pending in either.)
    const lasting = (rs: string[]) => rs.filter((r) => r !== 'CloseReq').sort();
    expect(lasting(after)).toEqual(lasting(before));
    expect(existsSync(path)).toBe(false);
  });

  it('close() ends the thread and removes the file; the server listens again after', async () => {
    const path = join(dir, 'query.sock');
    const server = new QueryServer(new FlowTable());
    await server.listen(path);
    // The query thread yields to polling: its nice value, as the kernel reports it, is 10 above this thread's.
    const { tid, nice } = server.thread!;
    const niceOf = (id: number) => Number(readFileSync(`/proc/self/task/${id}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    expect(niceOf(tid)).toBe(nice);
    expect(nice).toBe(Math.min(19, niceOf(process.pid) + 10));
    expect(statSync(path).isSocket()).toBe(true);
    await server.close();
    expect(existsSync(path)).toBe(false);
    expect(server.path).toBe('');
    await server.listen(path);
    expect(await listConnections(path)).toEqual([]);
    await server.close();
    await server.close(); // twice is harmless
    expect(existsSync(path)).toBe(false);
  });
});
