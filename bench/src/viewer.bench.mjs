// tcpinfo-view's cost on one long connection: 100,000 snapshots (about 60 MB of
// JSONL: a 10-minute connection polled every 10 ms that changed every ~6 ms
// would hold that many). Runs the BUILT command line (viewer-child.mjs) and
// reports snapshots per CPU second, with wall time, peak RSS (the memory
// regression guard: ~150 MB here; snapshots were once kept whole, 884 MB) and
// the report's size. The input is the original's NDT connection file, its
// snapshot lines repeated after its one header record.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompress } from 'zstd-napi';

const ndt = fileURLToPath(new URL('../../apps/csvtool/test/fixtures/ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', import.meta.url));
const childJs = fileURLToPath(new URL('./viewer-child.mjs', import.meta.url));
const dir = join(tmpdir(), 'tcpinfo-bench');
mkdirSync(dir, { recursive: true });
const SNAPSHOTS = 100_000;

function longConnection() {
  const [header, ...snapshots] = decompress(readFileSync(ndt)).toString().trimEnd().split('\n');
  const path = join(dir, `view-${SNAPSHOTS}.jsonl`);
  if (!existsSync(path)) {
    const lines = [header];
    for (let i = 0; i < SNAPSHOTS; i++) lines.push(snapshots[i % snapshots.length]);
    writeFileSync(path, lines.join('\n') + '\n');
  }
  return path;
}

function runViewer(input, output) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, input, '-o', output], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let cost = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdio[3].on('data', (c) => (cost += c));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(JSON.parse(cost)) : reject(new Error(`exit ${status}: ${stderr.trim()}`))));
  });
}

export const cases = [
  {
    name: `tcpinfo-view FILE -o report.html, one connection of ${SNAPSHOTS.toLocaleString('en-US')} snapshots`,
    unit: 'snapshots',
    async measureAsync() {
      const input = longConnection();
      const output = join(dir, 'view-report.html');
      const r = await runViewer(input, output);
      const html = readFileSync(output, 'utf8');
      if ((html.match(/<section class="connection"/g) ?? []).length !== 1) throw new Error('expected one connection section');
      if (!html.includes(`"snapshots":${SNAPSHOTS}`)) throw new Error(`the report does not count ${SNAPSHOTS} snapshots`);
      const notes =
        `${(statSync(input).size / 1e6).toFixed(0)} MB in; CPU ${(r.cpuMs / 1000).toFixed(2)} s, wall ${(r.wallMs / 1000).toFixed(2)} s; ` +
        `peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB; report ${(html.length / 1e6).toFixed(1)} MB`;
      rmSync(output);
      return { items: SNAPSHOTS, elapsedMs: r.cpuMs, notes };
    },
  },
];
