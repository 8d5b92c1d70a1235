// The built collector run as a separate process inside a test namespace
// (test/live/run-collector.mjs), and readers of the files it writes.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { Netns } from '@tcpinfo/testing';
import { afterAll, beforeAll } from 'vitest';

const RUNNER = fileURLToPath(new URL('../live/run-collector.mjs', import.meta.url));

/** What run-collector.mjs reports on a "stats" line and at its end. */
export interface CollectorStats {
  destroyMessages: number;
  firstSeen: number;
  overruns: number;
  /** Notifications for connections polling had already closed. */
  late: number;
  /** Files closed (close events sent), by notification or by polling. */
  closes: number;
  cycles: number;
  /** Median polling interval in seconds (a bucket bound), undefined before two cycles. */
  pollingMedianSec: number | undefined;
  pollingCount: number;
  /** Cumulative histogram buckets: [upper bound in seconds ("+Inf" last), count]. */
  pollingBuckets: [number | string, number][];
}

export function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

export async function nextLine(it: AsyncIterator<string>): Promise<string> {
  const r = await it.next();
  if (r.done) throw new Error('child ended early');
  return r.value;
}

/** Every file under `dir`, recursively. */
export function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A connection file's records, after `zstd -t` has vouched for the file. */
export function records(path: string): ArchivalRecord[] {
  execFileSync('zstd', ['-t', '-q', path]);
  return execFileSync('zstd', ['-dc', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .trim()
    .split('\n')
    .map((l) => ArchivalRecord.parseLine(l));
}

/**
 * The records of many connection files, each file's on its own: checked by
 * `zstd -t` and decompressed by a few `zstd` processes (into a directory, one
 * output per file) rather than two per file. Every file must begin with its
 * header record.
 *
 * A file may hold a second header record further on: a connection's cookie
 * met again after the collector had closed it (a destroy notification older
 * than the reconciler remembers, in a burst of 20,000 closes) starts its file
 * again at the same name. An earlier version cut a concatenated stream of all
 * files at header records and counted one file too many (CI, 1 run in ~25).
 */
export function recordsOfFiles(paths: string[]): ArchivalRecord[][] {
  const out: ArchivalRecord[][] = [];
  const plain = mkdtempSync(join(tmpdir(), 'tcpinfo-records-'));
  try {
    for (let i = 0; i < paths.length; i += 1000) {
      const batch = paths.slice(i, i + 1000);
      // One output directory per batch: names must not collide there.
      if (new Set(batch.map((p) => basename(p))).size !== batch.length) throw new Error('two files of one batch share a name');
      execFileSync('zstd', ['-t', '-q', ...batch]);
      execFileSync('zstd', ['-d', '-q', '-f', '--output-dir-flat', plain, ...batch]);
      for (const path of batch) {
        const text = readFileSync(join(plain, basename(path, '.zst')), 'utf8');
        const recs = text.split('\n').filter((l) => l !== '').map((l) => ArchivalRecord.parseLine(l));
        if (recs[0]?.metadata === undefined) throw new Error(`${path} does not begin with a header record`);
        out.push(recs);
      }
      rmSync(plain, { recursive: true, force: true });
      mkdirSync(plain);
    }
  } finally {
    rmSync(plain, { recursive: true, force: true });
  }
  return out;
}

/** Polls `probe` every 50 ms until it returns true, failing after `timeoutMs`. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polling intervals observed between two stats (bucket counts subtracted), and their median bucket. */
export function pollingBetween(before: CollectorStats, after: CollectorStats): { count: number; medianSec: number | string | undefined; maxSec: number | string | undefined } {
  const prior = new Map(before.pollingBuckets.map(([le, n]) => [String(le), n]));
  const diff = after.pollingBuckets.map(([le, n]) => [le, n - (prior.get(String(le)) ?? 0)] as const);
  const count = after.pollingCount - before.pollingCount;
  return {
    count,
    medianSec: diff.find(([, n]) => n >= count / 2)?.[0],
    maxSec: diff.find(([, n]) => n >= count)?.[0],
  };
}

/**
 * A test namespace for the enclosing describe block (created before its tests,
 * deleted after them with every collector left running) and temporary output
 * directories removed at the end.
 */
export function useNamespace(tmpPrefix: string): { ns: () => Netns; tmp: () => string } {
  let ns: Netns | undefined;
  const dirs: string[] = [];
  beforeAll(() => {
    ns = Netns.create();
  });
  // Cleaning up after a burst (20,000 files, a namespace full of closing sockets)
  // took over the 60 s hook timeout at load average 19: a matter of the machine's
  // load, so given room rather than asserted.
  afterAll(() => {
    killCollectors();
    ns?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 300_000);
  return {
    ns: () => ns!,
    tmp: () => {
      const d = mkdtempSync(join(tmpdir(), tmpPrefix));
      dirs.push(d);
      return d;
    },
  };
}

const running = new Set<ChildProcess>();

/** Kills collectors a failed test left running (they would outlive the namespace). */
export function killCollectors(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Starts the collector in the namespace (optionally behind a wrapper command such
 * as setpriv or prlimit); resolves once it polls, with whether destroy events are active.
 */
export async function startCollector(ns: Netns, out: string, args: string[] = [], wrapper: string[] = []) {
  const argv = [...wrapper, process.execPath, RUNNER, out, ...args];
  const child = ns.spawn(argv[0]!, argv.slice(1));
  // 'close', not 'exit': stderr is complete only once the pipes closed.
  const closed = new Promise((r) => child.once('close', r));
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const it = lines(child);
  const ready = await nextLine(it);
  const statsLine = async (): Promise<CollectorStats> => {
    const line = await nextLine(it).catch(() => {
      throw new Error(`collector ended early (status ${child.exitCode}, ${child.signalCode}): ${stderr.slice(-2000)}`);
    });
    return JSON.parse(line) as CollectorStats;
  };
  return {
    active: ready === 'ready true',
    pid: child.pid!,
    stderr: () => stderr,
    exitCode: () => child.exitCode,
    /** The collector's counters now. */
    async stats(): Promise<CollectorStats> {
      child.stdin!.write('stats\n');
      return statsLine();
    },
    /** Stops polling, closes every file; resolves with the final counters once the process exited. */
    async stop(): Promise<CollectorStats & { exitCode: number | null }> {
      child.stdin!.end();
      const stats = await statsLine();
      // 'close', not 'exit': stderr is complete only once the pipes closed.
      await closed;
      return { ...stats, exitCode: child.exitCode };
    },
  };
}
