// tcpinfo-csv throughput and memory (issue #3: >= 150,000 rows/s on one core for the
// sample files replicated to ~50 MB of JSONL, where the Go original manages ~64,000;
// peak RSS < 150 MB for 50 MB and for 1 GB).
//
// Each case runs the BUILT command line (csv-child.mjs) on a file made here in
// the temporary directory, its CSV piped back to this process, which counts the
// rows and checks the first rows against the original's reference CSV. Reported:
// rows per second of the converter's own CPU time (user + system, all threads —
// "on one core", and steady on a machine shared with other work), with wall time,
// MB/s, peak RSS and the load average in the notes. BENCH_CSV_1GB=0 skips the
// 1 GB cases (about 20 times the 50 MB one each, and a 1 GB file in the temporary
// directory); the .zst case shows the memory of streaming decompression.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compress, decompress } from 'zstd-napi';
import { runCostedChild } from './costed-child.mjs';

const fixtures = fileURLToPath(new URL('../../apps/csvtool/test/fixtures/', import.meta.url));
const childJs = fileURLToPath(new URL('./csv-child.mjs', import.meta.url));
const dir = join(tmpdir(), 'tcpinfo-bench');
mkdirSync(dir, { recursive: true });

// The three files the original wrote, one after the other (header records included).
const SAMPLES = ['archiveRecords.jsonl.zst', 'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', 'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst'];
const sample = Buffer.concat(SAMPLES.map((f) => decompress(readFileSync(join(fixtures, f)))));
const sampleLines = sample.toString().trimEnd().split('\n').length;
/** The reference rows of one pass over the samples (header line dropped), as the original printed them. */
const referenceRows = SAMPLES.flatMap((f) => readFileSync(join(fixtures, f + '.csv'), 'utf8').trimEnd().split('\n').slice(1));
const GO_ROWS_PER_SECOND = 64_000;

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

/**
 * The same replicated input as one zstd file: one compressed frame of the
 * samples, repeated (a valid multi-frame .zst that decompresses to the plain file).
 */
function replicatedZst(bytes) {
  const copies = Math.ceil(bytes / sample.length);
  const frame = compress(sample);
  const path = join(dir, `sample-${Math.round(bytes / 1e6)}MB.jsonl.zst`);
  if (!existsSync(path) || statSync(path).size !== copies * frame.length) {
    const fd = openSync(path, 'w');
    for (let i = 0; i < copies; i++) writeSync(fd, frame);
    closeSync(fd);
  }
  return { path, lines: copies * sampleLines, plainBytes: copies * sample.length };
}

/** Runs the CLI on `path`; resolves with its cost, the number of CSV lines and the first rows it printed. */
async function runCli(path) {
  let head = '';
  const r = await runCostedChild(childJs, [path], (chunk) => {
    if (head.length < 1 << 20) head += chunk.toString('utf8');
  });
  return { ...r, head: head.split('\n') };
}

function csvCase(name, bytes, zstd = false) {
  return {
    name,
    unit: 'rows',
    async measureAsync() {
      const { path, lines } = zstd ? replicatedZst(bytes) : replicated(bytes);
      const load = loadavg()[0];
      const r = await runCli(path);
      if (r.newlines !== lines + 1) throw new Error(`printed ${r.newlines - 1} rows, expected ${lines}`);
      const rows = r.head.slice(1, 1 + referenceRows.length);
      const wrong = rows.findIndex((row, i) => row !== referenceRows[i]);
      if (wrong !== -1) throw new Error(`row ${wrong + 1} differs from the original's CSV`);
      const mb = (zstd ? lines / sampleLines * sample.length : statSync(path).size) / 1e6; // JSONL bytes, decompressed
      const perCpuSecond = lines / (r.cpuMs / 1000);
      return {
        items: lines,
        elapsedMs: r.cpuMs,
        notes:
          `${mb.toFixed(0)} MB in; CPU ${(r.cpuMs / 1000).toFixed(2)} s = ${(mb / (r.cpuMs / 1000)).toFixed(0)} MB/s, ` +
          `${(perCpuSecond / GO_ROWS_PER_SECOND).toFixed(1)}x the original's 64k rows/s; ` +
          `wall ${(r.wallMs / 1000).toFixed(2)} s = ${Math.round(lines / (r.wallMs / 1000)).toLocaleString('en-US')} rows/s (load avg ${load.toFixed(1)}); ` +
          `peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`,
      };
    },
  };
}

export const cases = [
  csvCase('tcpinfo-csv FILE, samples replicated to 50 MB (rows per CPU second)', 50e6),
  ...(process.env.BENCH_CSV_1GB === '0'
    ? []
    : [
        csvCase('tcpinfo-csv FILE, samples replicated to 1 GB (rows per CPU second)', 1e9),
        csvCase('tcpinfo-csv FILE.zst, the same 1 GB zstd-compressed (rows per CPU second)', 1e9, true),
      ]),
];
