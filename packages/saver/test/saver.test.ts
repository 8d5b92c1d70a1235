import { fixturePath } from '@tcpinfo/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { createMetrics } from '@tcpinfo/metrics';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlowEvent } from '../src/events.js';
import { Saver, type ConnectionKey, type SaverOptions } from '../src/saver.js';
import { decodeFile, fakeIdm, frameCount, readZstLines } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'saver-test-'));
  dirs.push(d);
  return d;
}
function makeSaver(opts: Partial<SaverOptions> = {}): Saver {
  return new Saver({ uuidPrefix: 'host_1700000000_unsafe', outputDir: tempDir(), log: () => {}, ...opts });
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// 2024-02-29T23:59:59.5Z: a leap day, half a second before midnight UTC.
const START = GoTime.fromUnixNanos(1_709_251_199_500_000_000n);
const line = (i: number) => `{"Timestamp":"2024-02-29T23:59:59Z","n":${i}}`;
const key = (hi: number, lo: number): ConnectionKey & { idm: Buffer } => ({ hi, lo, state: undefined, idm: fakeIdm(hi, lo) });

describe('Saver files (SPEC §5)', () => {
  it('writes the header record and the lines to <date of start>/<uuid>.00000.jsonl.zst', async () => {
    const out = tempDir();
    const s = makeSaver({ outputDir: out });
    const k = key(0x1, 0xabc);
    s.writeLine(k, line(1), START, k.idm);
    s.writeLine(k, line(2), START, k.idm);
    s.close(k, START);
    await s.closeAll();
    const path = join(out, '2024/02/29/host_1700000000_unsafe_0000000100000ABC.00000.jsonl.zst');
    const lines = readZstLines(path);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      '{"Timestamp":"0001-01-01T00:00:00Z","Metadata":{"UUID":"host_1700000000_unsafe_0000000100000ABC","Sequence":0,"StartTime":"2024-02-29T23:59:59.5Z"}}',
    );
    const header = ArchivalRecord.parseLine(lines[0]!);
    expect(header.timestamp.isZero()).toBe(true);
    expect(header.metadata?.StartTime.equals(START)).toBe(true);
    expect(lines.slice(1)).toEqual([line(1), line(2)]);
  });

  it('rotates after the interval: next file has seq 00001, the date of its opening, and its own header', async () => {
    let now = START.unixMillis();
    const out = tempDir();
    const s = makeSaver({ outputDir: out, rotationMs: 60_000, now: () => now });
    const k = key(0, 7);
    s.writeLine(k, line(1), START, k.idm);
    now += 60_000;
    s.writeLine(k, line(2), START, k.idm); // at the expiry: not yet past it
    now += 1;
    s.writeLine(k, line(3), START, k.idm); // past it: rotates, in the next day
    now += 60_000;
    s.writeLine(k, line(4), START, k.idm); // second expiry 60 s after the first
    s.close(k, START);
    await s.closeAll();
    const uuid = 'host_1700000000_unsafe_0000000000000007';
    const f0 = readZstLines(join(out, `2024/02/29/${uuid}.00000.jsonl.zst`));
    const f1 = readZstLines(join(out, `2024/03/01/${uuid}.00001.jsonl.zst`));
    const f2 = readZstLines(join(out, `2024/03/01/${uuid}.00002.jsonl.zst`));
    expect(f0.slice(1)).toEqual([line(1), line(2)]);
    expect(f1.slice(1)).toEqual([line(3)]);
    expect(f2.slice(1)).toEqual([line(4)]);
    for (const [seq, f] of [f0, f1, f2].entries()) {
      const h = ArchivalRecord.parseLine(f[0]!);
      expect(h.metadata).toMatchObject({ UUID: uuid, Sequence: seq });
      expect(h.metadata?.StartTime.equals(START)).toBe(true);
    }
  });

  it('a restarted daemon meets its connections\' files again: it goes on at the next free sequence, the old file untouched', async () => {
    // Same boot, same UUID prefix: a connection still open gets the same UUID from its cookie.
    const out = tempDir();
    const uuid = 'host_1700000000_unsafe_0000000000000009';
    const first = makeSaver({ outputDir: out });
    const k1 = key(0, 9);
    first.writeLine(k1, line(1), START, k1.idm);
    await first.closeAll(START, [k1]);
    const oldFile = join(out, `2024/02/29/${uuid}.00000.jsonl.zst`);
    const before = readFileSync(oldFile);
    const metrics = createMetrics();
    const second = makeSaver({ outputDir: out, now: () => START.unixMillis(), metrics });
    const k2 = key(0, 9);
    second.writeLine(k2, line(2), START, k2.idm);
    second.writeLine(k2, line(3), START, k2.idm);
    await second.closeAll(START, [k2]);
    expect(readFileSync(oldFile).equals(before)).toBe(true);
    const next = readZstLines(join(out, `2024/02/29/${uuid}.00001.jsonl.zst`));
    expect(ArchivalRecord.parseLine(next[0]!).metadata).toMatchObject({ UUID: uuid, Sequence: 1 });
    expect(next.slice(1)).toEqual([line(2), line(3)]);
    expect(await metrics.registry.getSingleMetricAsString('tcpinfo_dropped_records_total')).not.toMatch(/ [1-9]\d*$/m);
  });

  it('a cookie met again after its connection closed writes a file of its own, even before the first is on disk', async () => {
    const out = tempDir();
    const s = makeSaver({ outputDir: out, now: () => START.unixMillis() }); // a file after the first is dated by its opening
    const uuid = 'host_1700000000_unsafe_000000000000000A';
    const k1 = key(0, 10);
    s.writeLine(k1, line(1), START, k1.idm);
    s.close(k1, START); // nothing written yet: the first file is still in memory
    const k2 = key(0, 10);
    s.writeLine(k2, line(2), START, k2.idm);
    s.close(k2, START);
    await s.closeAll();
    const f0 = readZstLines(join(out, `2024/02/29/${uuid}.00000.jsonl.zst`));
    const f1 = readZstLines(join(out, `2024/02/29/${uuid}.00001.jsonl.zst`));
    expect(f0.slice(1)).toEqual([line(1)]);
    expect(f1.slice(1)).toEqual([line(2)]);
    expect(ArchivalRecord.parseLine(f1[0]!).metadata).toMatchObject({ Sequence: 1 });
  });

  it('hands a record to the disk, as a complete frame, once it is flushAfterMs old (on tick)', async () => {
    let now = 1_000_000;
    const out = tempDir();
    const s = makeSaver({ outputDir: out, flushAfterMs: 500, now: () => now });
    const k = key(0, 9);
    s.writeLine(k, line(1), START, k.idm);
    now += 499;
    s.tick();
    expect(s.pendingBytes).toBe(0); // not compressed yet
    now += 1;
    s.tick();
    expect(s.pendingBytes).toBeGreaterThan(0); // one frame queued for the disk
    const path = join(out, `2024/02/29/host_1700000000_unsafe_0000000000000009.00000.jsonl.zst`);
    await s.flush();
    expect(s.pendingBytes).toBe(0);
    expect(readZstLines(path)).toHaveLength(2);
    s.writeLine(k, line(2), START, k.idm);
    now += 500;
    s.tick();
    await s.flush();
    expect(readZstLines(path).slice(1)).toEqual([line(1), line(2)]);
    expect(frameCount(path)).toBe(2);
  });

  it('drains a backlog of due files at disk speed after one tick, within maxConcurrentWrites', async () => {
    let now = 1_000_000;
    const out = tempDir();
    const s = makeSaver({ outputDir: out, maxConcurrentWrites: 2, now: () => now });
    const keys = Array.from({ length: 50 }, (_, i) => key(0, 0x200 + i));
    for (const k of keys) s.writeLine(k, line(1), START, k.idm);
    now += 800;
    s.tick(); // the only tick: each finished write starts the next waiting one
    await vi.waitFor(() => expect(s.pendingBytes).toBe(0), { timeout: 5000, interval: 5 });
    expect(s.stats.framesWritten).toBe(50);
  });

  it('compacts a finished multi-frame file into one frame with the same content', async () => {
    const out = tempDir();
    const s = makeSaver({ outputDir: out });
    const k = key(0, 10);
    for (let i = 0; i < 5; i++) {
      s.writeLine(k, line(i), START, k.idm);
      await s.flush();
    }
    const path = join(out, '2024/02/29/host_1700000000_unsafe_000000000000000A.00000.jsonl.zst');
    expect(frameCount(path)).toBe(5);
    const before = decodeFile(path);
    s.close(k, START);
    await s.closeAll();
    expect(frameCount(path)).toBe(1);
    expect(decodeFile(path)).toBe(before);
    expect(s.stats.filesCompacted).toBe(1);
    expect(existsSync(`${path}.compacting`)).toBe(false);
  });

  it('leaves files uncompacted (but valid) when the compaction budget is spent', async () => {
    const out = tempDir();
    const s = makeSaver({ outputDir: out });
    const k = key(0, 15);
    for (let i = 0; i < 3; i++) {
      s.writeLine(k, line(i), START, k.idm);
      await s.flush();
    }
    await s.closeAll(START, [k], 1500, 0);
    const path = join(out, '2024/02/29/host_1700000000_unsafe_000000000000000F.00000.jsonl.zst');
    expect(frameCount(path)).toBe(3);
    expect(readZstLines(path)).toHaveLength(4);
    expect(s.stats.compactionsSkipped).toBe(1);
  });

  it('stops compacting files closed while running once the budget of closeAll is spent (shutdown after a burst of closes)', async () => {
    const s = makeSaver();
    const keys = Array.from({ length: 200 }, (_, i) => key(0, 0x100 + i));
    for (let round = 0; round < 2; round++) {
      for (const k of keys) s.writeLine(k, line(round), START, k.idm);
      await s.flush(); // two frames per file: each is worth compacting
    }
    for (const k of keys) s.close(k, START);
    await s.flush(); // the files are finished: their compaction runs in the background
    const compactedBefore = s.stats.filesCompacted;
    expect(compactedBefore).toBeLessThan(200);
    await s.closeAll(START, [], 1500, 0);
    // At most the file being compacted when the budget ran out is finished; the rest stay as written.
    expect(s.stats.filesCompacted).toBeLessThanOrEqual(compactedBefore + 1);
    expect(s.stats.filesCompacted + s.stats.compactionsSkipped).toBe(200);
  });

  it('sends open and close events and counts files, snapshots and flow events', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const events: FlowEvent[] = [];
    const s = makeSaver({ metrics, events: { onFlowEvent: (e) => events.push(e) } });
    const k = key(0, 11);
    s.writeLine(k, line(1), START, k.idm);
    k.idm.fill(0); // the event keeps its own copy
    const closedAt = GoTime.fromUnixNanos(1_709_251_300_000_000_000n);
    s.close(k, closedAt);
    expect(events.map((e) => e.kind)).toEqual(['open', 'close']);
    expect(events[0]!.uuid).toBe('host_1700000000_unsafe_000000000000000B');
    expect(events[0]!.timestamp.equals(START)).toBe(true);
    expect(Buffer.from(events[0]!.id!)).toEqual(fakeIdm(0, 11));
    expect(events[1]).toMatchObject({ kind: 'close', uuid: events[0]!.uuid });
    expect(events[1]!.timestamp.equals(closedAt)).toBe(true);
    expect(events[1]!.id).toBeUndefined();
    await s.closeAll();
    const text = await metrics.registry.metrics();
    expect(text).toContain('tcpinfo_new_file_total 1');
    expect(text).toContain('tcpinfo_snapshot_total 1');
    expect(text).toContain('tcpinfo_flow_events_total{event="open"} 1');
    expect(text).toContain('tcpinfo_flow_events_total{event="close"} 1');
    expect(text).toContain('tcpinfo_open_connections 0');
  });

  it('drops (and counts) frames instead of queueing beyond maxPendingBytes; files stay valid', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const out = tempDir();
    const s = makeSaver({ outputDir: out, metrics, maxPendingBytes: 1, maxConcurrentWrites: 1 });
    const k = key(0, 12);
    s.writeLine(k, line(1), START, k.idm);
    await s.flush(); // one frame bigger than the bound: dropped
    expect(s.stats.recordsDropped).toBe(1);
    expect(await metrics.registry.getSingleMetricAsString('tcpinfo_dropped_records_total')).toContain(
      'tcpinfo_dropped_records_total{reason="write_queue_full"} 1',
    );
  });

  it('starts a file deleted under it again with its header (at the next descriptor check), and counts the error', async () => {
    let now = 1_000_000;
    const metrics = createMetrics({ processMetrics: false });
    const out = tempDir();
    const s = makeSaver({ outputDir: out, metrics, now: () => now });
    const k = key(0, 13);
    s.writeLine(k, line(1), START, k.idm);
    await s.flush();
    const path = join(out, '2024/02/29/host_1700000000_unsafe_000000000000000D.00000.jsonl.zst');
    unlinkSync(path);
    now += 5000; // kept descriptors are checked against their path every 5 s
    s.writeLine(k, line(2), START, k.idm);
    await s.flush();
    const lines = readZstLines(path);
    expect(ArchivalRecord.parseLine(lines[0]!).metadata?.UUID).toBe('host_1700000000_unsafe_000000000000000D');
    expect(lines.slice(1)).toEqual([line(2)]);
    expect(await metrics.registry.getSingleMetricAsString('tcpinfo_error_total')).toContain('tcpinfo_error_total{type="file_vanished"} 1');
  });

  it('keeps at most maxOpenFiles descriptors open, and files stay correct when they are recycled', async () => {
    const out = tempDir();
    const s = makeSaver({ outputDir: out, maxOpenFiles: 3 });
    const keys = Array.from({ length: 10 }, (_, i) => key(0, 0x100 + i));
    for (let round = 0; round < 3; round++) {
      for (const k of keys) s.writeLine(k, line(round), START, k.idm);
      await s.flush();
      expect(s.openFiles).toBe(3);
    }
    for (const k of keys) s.close(k, START);
    await s.closeAll();
    expect(s.openFiles).toBe(0);
    for (const k of keys) {
      const path = join(out, `2024/02/29/host_1700000000_unsafe_${k.lo.toString(16).toUpperCase().padStart(16, '0')}.00000.jsonl.zst`);
      expect(readZstLines(path).slice(1)).toEqual([line(0), line(1), line(2)]);
    }
  });

  it('posts its batches to the write thread without detaching a buffer (a shared buffer, no transfer list)', async () => {
    // One detached ArrayBuffer anywhere in the polling thread slows every
    // typed-array access of that thread from then on (write-protocol.ts).
    const post = vi.spyOn(Worker.prototype, 'postMessage'); // calls through, records the arguments
    try {
      const out = tempDir();
      const s = makeSaver({ outputDir: out });
      const k = key(0, 15);
      s.writeLine(k, line(1), START, k.idm);
      await s.flush();
      s.writeLine(k, line(2), START, k.idm);
      s.close(k, START);
      await s.closeAll();
      expect(readZstLines(join(out, '2024/02/29/host_1700000000_unsafe_000000000000000F.00000.jsonl.zst')).slice(1)).toEqual([line(1), line(2)]);
      const calls = post.mock.calls;
      const batches = calls.map(([message]) => message as { appends?: unknown[]; bytes?: unknown }).filter((m) => m.appends !== undefined);
      expect(batches.length).toBeGreaterThanOrEqual(2);
      for (const [, transfer] of calls) expect(transfer === undefined || (transfer as unknown[]).length === 0).toBe(true);
      for (const b of batches) expect(b.bytes).toBeInstanceOf(SharedArrayBuffer);
    } finally {
      post.mockRestore();
    }
  });

  it('compresses no worse than one `zstd -3` stream of the same JSONL once compacted', async () => {
    const jsonl = execFileSync('zstd', ['-dc', fixturePath('ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst')], {
      encoding: 'utf8',
    });
    const records = jsonl.split('\n').slice(1, -1); // without the original's header
    const out = tempDir();
    const s = makeSaver({ outputDir: out });
    const k = key(0, 14);
    for (let i = 0; i < records.length; i++) {
      s.writeLine(k, records[i]!, START, k.idm);
      if (i % 5 === 4) await s.flush(); // many small frames, as a busy connection gets
    }
    const path = join(out, '2024/02/29/host_1700000000_unsafe_000000000000000E.00000.jsonl.zst');
    const beforeCompaction = readFileSync(path).length;
    s.close(k, START);
    await s.closeAll();
    const ours = readFileSync(path).length;
    const reference = execFileSync('zstd', ['-3', '-c'], { input: decodeFile(path) }).length;
    expect(beforeCompaction / reference).toBeGreaterThan(2); // why compaction exists
    expect(ours / reference).toBeLessThanOrEqual(1.05);
  });
});
