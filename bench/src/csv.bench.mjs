// tcpinfo-csv throughput and memory (issue: >= 150,000 rows/s on one core for the
// sample files replicated to ~50 MB of JSONL; peak RSS < 150 MB for 50 MB and 1 GB).
// Each case runs the BUILT converter in a child process on a file made here, checks
// the row count, and reports rows/s and the child's peak RSS.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompress } from 'zstd-napi';

const fixtures = fileURLToPath(new URL('../../apps/csvtool/test/fixtures/', import.meta.url));
const convertJs = fileURLToPath(new URL('../../apps/csvtool/dist/index.js', import.meta.url));
const dir = join(tmpdir(), 'tcpinfo-bench');
mkdirSync(dir, { recursive: true });

const sample = ['archiveRecords.jsonl.zst', 'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', 'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst']
  .map((f) => decompress(readFileSync(join(fixtures, f))))
  .reduce((a, b) => Buffer.concat([a, b]));
const sampleLines = sample.toString().trimEnd().split('\n').length;

/** A JSONL file of the samples repeated up to `bytes`; returns its path and line count. */
function replicated(bytes) {
  const copies = Math.ceil(bytes / sample.length);
  const path = join(dir, `sample-${Math.round(bytes / 1e6)}MB.jsonl`);
  if (!existsSync(path) || statSync(path).size !== copies * sample.length) {
    const fd = openSync(path, 'w');
    for (let i = 0; i < copies; i++) writeSync(fd, sample);
    closeSync(fd);
  }
  return { path, lines: copies * sampleLines };
}

// The child converts to a sink that discards (so disk speed is not measured) and reports.
const child = `
import { convert } from ${JSON.stringify(convertJs)};
import { Writable } from 'node:stream';
const sink = new Writable({ write(_c, _e, cb) { cb(); } });
const t0 = process.hrtime.bigint();
const r = await convert({ inputs: [process.argv[1]], output: sink });
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage();
console.log(JSON.stringify({ rows: r.rows, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
`;

function csvCase(name, bytes) {
  return {
    name,
    unit: 'rows',
    async measureAsync() {
      const { path, lines } = replicated(bytes);
      const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', child, path], { encoding: 'utf8', maxBuffer: 1 << 20 }));
      if (out.rows !== lines) throw new Error(`converted ${out.rows} rows, expected ${lines}`);
      const mb = statSync(path).size / 1e6;
      return { items: out.rows, elapsedMs: out.ms, notes: `${mb.toFixed(0)} MB in, CPU ${((out.cpuMs / out.ms) * 100).toFixed(0)}% of wall, peak RSS ${(out.maxRssKb / 1024).toFixed(0)} MB` };
    },
  };
}

export const cases = [
  csvCase('tcpinfo-csv, samples replicated to 50 MB', 50e6),
  ...(process.env.BENCH_CSV_1GB === '0' ? [] : [csvCase('tcpinfo-csv, samples replicated to 1 GB', 1e9)]),
];
