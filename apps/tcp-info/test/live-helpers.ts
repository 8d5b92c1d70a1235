import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import type { Netns } from '@tcpinfo/testing';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built daemon: child processes cannot run TypeScript under Node 20. */
export const DAEMON_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const CONN_FIXTURE = fileURLToPath(new URL('../../../packages/testing/src/conn-fixture.mjs', import.meta.url));

/**
 * The environment for a daemon run as operators run it: without the NODE_PATH
 * that pnpm gives vitest (it lists node_modules/.pnpm/node_modules, where every
 * package is hoisted, and so hides a dependency the daemon could not resolve).
 */
export function operatorEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_PATH: _hidden, ...env } = process.env;
  return { ...env, ...extra };
}

/** Resolves with the first stdout line of a child (the fixture's connection list). */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
}

/** Resolves with the exit code once the child exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Every `*.jsonl.zst` below `dir`, relative paths, sorted. */
export function archiveFiles(dir: string): string[] {
  const found: string[] = [];
  // The daemon works in this tree while we walk it: its start-up write check makes
  // and removes a directory, compaction renames files. An entry that vanishes
  // between the listing and its stat is not an archive file: skip it.
  const vanished = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';
  const walk = (d: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch (err) {
      if (vanished(err)) return;
      throw err;
    }
    for (const name of names) {
      const p = join(d, name);
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch (err) {
        if (vanished(err)) continue;
        throw err;
      }
      if (isDir) walk(p, rel ? `${rel}/${name}` : name);
      else if (name.endsWith('.jsonl.zst')) found.push(rel ? `${rel}/${name}` : name);
    }
  };
  walk(dir, '');
  return found.sort();
}

/** The JSONL lines of a file, after `zstd -t` accepted it. */
export function zstLines(path: string): string[] {
  execFileSync('zstd', ['-t', '-q', path]);
  const text = execFileSync('zstd', ['-dc', path], { encoding: 'utf8' });
  if (!text.endsWith('\n')) throw new Error(`${path} does not end with a newline`);
  return text.split('\n').slice(0, -1);
}

/** Runs the built daemon with `args` (outside any namespace) and returns status and stderr. */
export function runDaemonSync(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [DAEMON_BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 20_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** Fetches /metrics at `address` from inside `ns`: every sample by its name with labels. */
export async function scrapeMetrics(ns: Netns, address: string): Promise<Map<string, number>> {
  const child = ns.spawn(process.execPath, ['-e', `fetch('http://${address}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`]);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  const code = await exited(child);
  if (code !== 0) throw new Error(`scraping /metrics failed (exit ${code})`);
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/** A log line of the running daemon: RFC 3339 UTC time with milliseconds, a space, the message. */
export const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (.*)$/;

/** The daemon's stderr without its start-up line (version and settings), which every start writes. */
export function withoutStartupLine(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/^\S+ tcp-info \S+ \(revision \S+, node \S+\) starting: /.test(line))
    .join('\n');
}
