// @tcpinfo/parse, the library path an ETL job takes (issue 12, finding 5): rows
// per CPU-second of this process (user + system) over the samples replicated
// to BENCH_PARSE_MB (default 20) MB of plain JSONL, for
//   - the CSV path (toCsv over a fresh readSnapshots: the byte-level writer),
//   - readSnapshots, a job reading a few fields of every snapshot,
//   - the CSV with columns 'all' (every field decoded),
//   - JSON lines (snapshotToJson over readSnapshots),
//   - the built `tcpinfo-csv --format=jsonl FILE` and `tcpinfo-csv
//     --columns=all FILE` (csv-child.mjs: the whole process's CPU, every
//     thread, start-up included; its output piped here): the two command lines
//     the targets name.
// Targets: 150k/s for the few-fields job, 100k/s for 'all' and JSON lines.
// Each case checks it saw every line; the JSON cases check lines against the
// reference path (decodeRecord, then toPlainJson's rules). CPU time, not wall
// time: the machine is shared.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompress } from 'zstd-napi';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { decodeRecord, readSnapshots, snapshotToJson, toCsvBytes } from '@tcpinfo/parse';
import { runCostedChild } from './costed-child.mjs';

const fixtures = fileURLToPath(new URL('../../apps/csvtool/test/fixtures/', import.meta.url));
const SAMPLES = ['archiveRecords.jsonl.zst', 'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', 'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst'];
const sample = Buffer.concat(SAMPLES.map((f) => decompress(readFileSync(join(fixtures, f)))));
const sampleLines = sample.toString().trimEnd().split('\n').length;
/** The JSON lines of one pass over the samples by the reference path (decoded objects, toPlainJson, JSON.stringify). */
const referenceJson = sample.toString().trimEnd().split('\n').map((line) => {
  const { metadata, snapshot } = decodeRecord(ArchivalRecord.parseLine(line));
  return snapshotToJson(metadata, snapshot);
});
const cliChild = fileURLToPath(new URL('./csv-child.mjs', import.meta.url));
const MB = Number(process.env.BENCH_PARSE_MB ?? 20);

function replicated() {
  const dir = join(tmpdir(), 'tcpinfo-bench');
  mkdirSync(dir, { recursive: true });
  const copies = Math.ceil((MB * 1e6) / sample.length);
  const path = join(dir, `parse-sample-${MB}MB.jsonl`);
  if (!existsSync(path) || statSync(path).size !== copies * sample.length) {
    const fd = openSync(path, 'w');
    for (let i = 0; i < copies; i++) writeSync(fd, sample);
    closeSync(fd);
  }
  return { path, lines: copies * sampleLines };
}

/** Runs `body` (which returns the rows it saw) and reports rows per CPU-second of this process. */
async function cpuRate(lines, body) {
  const before = process.cpuUsage();
  const t0 = performance.now();
  const rows = await body();
  const cpu = process.cpuUsage(before);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (rows !== lines) throw new Error(`saw ${rows} rows, expected ${lines}`);
  return { items: rows, perSecond: rows / (cpuMs / 1000), nsPerItem: (cpuMs * 1e6) / rows, notes: `${MB} MB plain JSONL, CPU ${cpuMs.toFixed(0)} ms, wall ${(performance.now() - t0).toFixed(0)} ms` };
}

/** The library's CSV with columns 'all' of one pass over the samples (header first): what the command line must print first. */
async function referenceAllCsv() {
  const parts = [];
  for await (const chunk of toCsvBytes(readSnapshots(sample), { columns: 'all' })) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

async function countCsvRows(chunks) {
  let n = 0;
  for await (const c of chunks) for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) n++;
  return n - 1; // the header line
}

export async function cases() {
  const { path, lines } = replicated();
  return [
    { name: 'CSV path: toCsv(readSnapshots) original', unit: 'rows', measureAsync: () => cpuRate(lines, () => countCsvRows(toCsvBytes(readSnapshots(path)))) },
    {
      name: 'readSnapshots, a few fields (target 150k)',
      unit: 'snapshots',
      measureAsync: () =>
        cpuRate(lines, async () => {
          let n = 0;
          let sum = 0n;
          for await (const { snapshot } of readSnapshots(path)) {
            n++;
            if (snapshot.tcpInfo?.bytesAcked !== undefined) sum += snapshot.tcpInfo.bytesAcked;
            if (snapshot.timestamp.unixNanos === undefined || (snapshot.tcpInfo?.rtt ?? 0) < 0) throw new Error('impossible');
          }
          if (sum === 0n) throw new Error('no bytes acked read');
          return n;
        }),
    },
    { name: 'toCsv columns all (target 100k)', unit: 'rows', measureAsync: () => cpuRate(lines, () => countCsvRows(toCsvBytes(readSnapshots(path), { columns: 'all' }))) },
    {
      name: 'JSON lines, snapshotToJson (target 100k)',
      unit: 'snapshots',
      measureAsync: () =>
        cpuRate(lines, async () => {
          let n = 0;
          let bytes = 0;
          for await (const { metadata, snapshot } of readSnapshots(path)) {
            bytes += snapshotToJson(metadata, snapshot).length;
            n++;
          }
          if (bytes === 0) throw new Error('no JSON');
          return n;
        }),
    },
    {
      name: 'tcpinfo-csv --columns=all FILE (target 100k)',
      unit: 'rows',
      async measureAsync() {
        let head = '';
        const r = await runCostedChild(cliChild, ['--columns=all', path], (chunk) => {
          if (head.length < 4 << 20) head += chunk.toString('utf8');
        });
        if (r.newlines !== lines + 1) throw new Error(`printed ${r.newlines - 1} rows, expected ${lines}`);
        const whole = head.split('\n').slice(0, -1); // the head's last line may be cut
        const reference = (await referenceAllCsv()).split('\n');
        const wrong = whole.slice(0, reference.length - 1).findIndex((l, i) => l !== reference[i]);
        if (wrong !== -1) throw new Error(`CSV line ${wrong + 1} differs from the library's toCsv`);
        return {
          items: lines,
          perSecond: lines / (r.cpuMs / 1000),
          nsPerItem: (r.cpuMs * 1e6) / lines,
          notes: `${MB} MB plain JSONL, CPU ${r.cpuMs.toFixed(0)} ms (whole process), wall ${r.wallMs.toFixed(0)} ms, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`,
        };
      },
    },
    {
      name: 'tcpinfo-csv --format=jsonl FILE (target 100k)',
      unit: 'snapshots',
      async measureAsync() {
        let head = '';
        const r = await runCostedChild(cliChild, ['--format=jsonl', path], (chunk) => {
          if (head.length < 4 << 20) head += chunk.toString('utf8');
        });
        if (r.newlines !== lines) throw new Error(`printed ${r.newlines} lines, expected ${lines}`);
        const whole = head.split('\n').slice(0, -1); // the head's last line may be cut
        if (whole.length < 1000) throw new Error(`only ${whole.length} lines seen`);
        const wrong = whole.slice(0, referenceJson.length).findIndex((l, i) => l !== referenceJson[i]);
        if (wrong !== -1) throw new Error(`line ${wrong + 1} differs from the reference JSON`);
        return {
          items: lines,
          perSecond: lines / (r.cpuMs / 1000),
          nsPerItem: (r.cpuMs * 1e6) / lines,
          notes: `${MB} MB plain JSONL, CPU ${r.cpuMs.toFixed(0)} ms (whole process), wall ${r.wallMs.toFixed(0)} ms, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`,
        };
      },
    },
  ];
}
