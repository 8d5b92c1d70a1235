import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { duck } from './parquet-read.js';

// The Indexed Job of docker/kubernetes/csv-indexed-job.yaml, run as Kubernetes
// would run it, minus Kubernetes: its own shell script, once per completion
// index with $JOB_COMPLETION_INDEX set, over a file list of the shared test
// data (no Docker engine or cluster here; docker/validate.mjs checks the
// manifest's fields). The shards together hold every row exactly once.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const testdata = resolve(root, '../shared/testdata');
const dir = mkdtempSync(join(tmpdir(), 'csv-k8s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Container {
  env: { name: string; value: string }[];
  command: string[];
  args: string[];
}
const job = parse(readFileSync(join(root, 'docker/kubernetes/csv-indexed-job.yaml'), 'utf8')) as {
  spec: { completions: number; template: { spec: { containers: Container[] } } };
};
const container = job.spec.template.spec.containers[0]!;

function runShard(index: number, env: Record<string, string>) {
  return spawnSync(container.command[0]!, [...container.command.slice(1), ...container.args], {
    encoding: 'utf8',
    env: {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      ...Object.fromEntries(container.env.map((e) => [e.name, e.value])),
      ...env,
      JOB_COMPLETION_INDEX: String(index),
    },
  });
}

describe('the Indexed Job (docker/kubernetes/csv-indexed-job.yaml)', () => {
  it('each index converts its shard of the list into one Parquet file; together every row once; a bad input is skipped and named', async () => {
    const archives = readdirSync(testdata).filter((n) => n.endsWith('.jsonl.zst')).map((n) => join(testdata, n));
    expect(archives.length).toBeGreaterThanOrEqual(3);
    // More paths than shards, so shards hold several; one path that does not exist.
    const missing = join(dir, 'gone.jsonl.zst');
    const list = [...Array.from({ length: 12 }, () => archives).flat(), missing];
    const listFile = join(dir, 'files.txt');
    writeFileSync(listFile, list.join('\n') + '\n');
    const out = join(dir, 'out');
    mkdirSync(out);
    const env = { FILE_LIST: listFile, OUT_DIR: out, TCPINFO_CSV: bin };
    const logs: string[] = [];
    for (let k = 0; k < job.spec.completions; k++) {
      const r = runShard(k, env);
      expect(r.status, r.stderr).toBe(0);
      logs.push(r.stderr);
    }
    const shards = readdirSync(out).sort();
    expect(shards).toEqual(Array.from({ length: job.spec.completions }, (_, k) => `tcpinfo-${String(k).padStart(5, '0')}.parquet`));
    expect(logs.join('')).toContain(`skipped input: ${missing}: cannot read: ENOENT`);
    // Rows: each archive's CSV row count, times the times it is listed.
    const rowsOf = (p: string) => readFileSync(`${p}.csv`, 'utf8').trimEnd().split('\n').length - 1;
    const expected = list.filter((p) => p !== missing).reduce((n, p) => n + rowsOf(p), 0);
    const total = await duck(`SELECT count(*) FROM read_parquet('${out}/*.parquet')`);
    expect(Number(total.rows[0]![0])).toBe(expected);
    // Shard k holds lines k+1, k+1+SHARDS, …: its row count says so.
    const perShard = await duck(`SELECT filename, count(*) FROM read_parquet('${out}/*.parquet', filename = true) GROUP BY 1 ORDER BY 1`);
    const counts = new Map(perShard.rows.map((r) => [String(r[0]).split('/').pop(), Number(r[1])]));
    for (let k = 0; k < job.spec.completions; k++) {
      const mine = list.filter((p, i) => i % job.spec.completions === k && p !== missing);
      expect(counts.get(`tcpinfo-${String(k).padStart(5, '0')}.parquet`) ?? 0, `shard ${k}`).toBe(mine.reduce((n, p) => n + rowsOf(p), 0));
    }
    expect(existsSync(join(out, `.tcpinfo-00000.parquet.partial`))).toBe(false);
  }, 300_000); // 16 pods one after another, each a process with its workers, on a contended machine

  it('a missing file list fails the pod (Kubernetes retries it) and leaves no shard', () => {
    const out = join(dir, 'out-none');
    mkdirSync(out);
    const r = runShard(0, { FILE_LIST: join(dir, 'no-list.txt'), OUT_DIR: out, TCPINFO_CSV: bin });
    expect(r.status).not.toBe(0);
    expect(readdirSync(out)).toEqual([]);
  });
});
