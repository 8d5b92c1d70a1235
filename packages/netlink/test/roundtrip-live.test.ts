import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchivalRecord } from '../src/archival-record.js';
import { ChangeType, comparePayloads } from '../src/change.js';
import { ExclusionRules } from '../src/exclude.js';
import { GoTime } from '../src/go-time.js';

const CONN_FIXTURE = fileURLToPath(new URL('../../testing/src/conn-fixture.mjs', import.meta.url));
// Dumps every TCP socket of its namespace once, raw messages to a file (see the script).
const RECORDER = fileURLToPath(new URL('./live/record-kernel-messages.cjs', import.meta.url));
const BYTES = 54321;

warnIfNotRoot('live records from kernel messages (netlink roundtrip-live.test.ts)');

/** inet_diag payloads of one dump made inside the namespace. */
function dumpPayloads(ns: Netns, dir: string, name: string): Buffer[] {
  const file = join(dir, name);
  ns.exec(process.execPath, [RECORDER, file]);
  const data = readFileSync(file);
  const payloads: Buffer[] = [];
  for (let p = 0; p + 16 <= data.length; p += data.readUInt32LE(p)) payloads.push(data.subarray(p + 16, p + data.readUInt32LE(p)));
  return payloads;
}

describe.skipIf(!isRoot)('records from a live kernel (Linux 6.x, in a private namespace)', () => {
  let ns: Netns;
  let fixture: ChildProcess;
  let dir: string;
  let first: Buffer[];
  let second: Buffer[];

  beforeAll(async () => {
    ns = Netns.create();
    dir = mkdtempSync(join(tmpdir(), 'tcpinfo-records-'));
    fixture = ns.spawn(process.execPath, [CONN_FIXTURE, '--count', '2', '--bytes', String(BYTES), '--family', 'both']);
    // The fixture prints one line once every connection is open and has moved its bytes.
    const [line] = await new Promise<string[]>((resolve, reject) => {
      fixture.once('error', reject);
      fixture.once('exit', (code) => reject(new Error(`conn-fixture exited early (${code})`)));
      createInterface({ input: fixture.stdout! }).once('line', (l) => resolve([l]));
    });
    expect(JSON.parse(line!).connections).toHaveLength(4);
    first = dumpPayloads(ns, dir, 'first.bin');
    second = dumpPayloads(ns, dir, 'second.bin');
  });

  afterAll(async () => {
    if (fixture && fixture.exitCode === null) {
      const exited = new Promise((resolve) => fixture.once('exit', resolve));
      fixture.stdin?.end('close\n');
      await exited;
    }
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sees 2 listeners and 8 connection ends; the exclusion rules drop only the listeners (unspecified peer)', () => {
    expect(first).toHaveLength(10);
    const rules = new ExclusionRules();
    const kept = first.map((p) => ArchivalRecord.fromMessage(p, GoTime.now(), { exclude: rules }));
    expect(kept.filter((r) => r === undefined)).toHaveLength(2);
    for (const [i, record] of kept.entries()) {
      const listening = first[i]![1] === 10; // TCP_LISTEN
      expect(record === undefined).toBe(listening);
    }
  });

  it('makes records that round-trip and count the bytes each end moved', () => {
    const established = first.filter((p) => p[1] === 1).map((p) => ArchivalRecord.fromMessage(p, GoTime.now())!);
    expect(established).toHaveLength(8);
    for (const record of established) {
      expect(record.getStats()).toEqual({ sent: BigInt(BYTES), received: BigInt(BYTES) });
      const line = record.toJSONLine();
      expect(ArchivalRecord.parseLine(line).toJSONLine()).toBe(line);
    }
  });

  it('finds no major change between two dumps of idle sockets, matched by cookie', () => {
    const byCookie = new Map(first.map((p) => [p.readBigUInt64LE(44), p]));
    expect(second).toHaveLength(first.length);
    for (const cur of second) {
      const prev = byCookie.get(cur.readBigUInt64LE(44));
      expect(prev).toBeDefined();
      expect(comparePayloads(prev!, cur)).toBe(ChangeType.NoMajorChange);
      expect(ArchivalRecord.fromMessage(cur, GoTime.ZERO)!.compare(ArchivalRecord.fromMessage(prev!, GoTime.ZERO))).toBe(
        ChangeType.NoMajorChange,
      );
    }
  });
});
