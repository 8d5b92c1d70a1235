// Capture rate of short connections (issue: destroy notifications): in a private
// network namespace, N short connections (each well under a polling cycle) come
// and go while the collector runs, once with destroy notifications and once with
// polling only. Reported: the share of the 2N sockets that got a file whose last
// record holds the exact final byte count. Needs root (skipped otherwise).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('../../packages/collector/test/live/run-collector.mjs', import.meta.url));
const shortConns = fileURLToPath(new URL('../../packages/collector/test/live/short-connections.mjs', import.meta.url));
const N = Number(process.env.BENCH_SHORT_CONNECTIONS ?? 300);

function netns() {
  const name = `tcpinfo-bench-${process.pid}`;
  const ip = (...a) => execFileSync('ip', a);
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
  ip('-n', name, 'link', 'add', 'vtA', 'type', 'veth', 'peer', 'name', 'vtB');
  ip('-n', name, 'addr', 'add', '192.0.2.1/24', 'dev', 'vtA');
  ip('-n', name, 'addr', 'add', '192.0.2.2/24', 'dev', 'vtB');
  ip('-n', name, 'link', 'set', 'vtA', 'up');
  ip('-n', name, 'link', 'set', 'vtB', 'up');
  return { name, destroy: () => ip('netns', 'delete', name) };
}

function files(dir) {
  const out = [];
  const walk = (d) => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : out.push(join(d, n))));
  walk(dir);
  return out;
}

/** Sockets whose file ends with the exact final counts (server: payload + FIN received; client: payload sent). */
async function captured(ns, destroyEvents) {
  const out = mkdtempSync(join(tmpdir(), 'tcpinfo-capture-'));
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, runner, out, ...(destroyEvents ? [] : ['--no-destroy-events'])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  await lines.next(); // ready
  const { port, conns } = JSON.parse(execFileSync('ip', ['netns', 'exec', ns, process.execPath, shortConns, String(N)], { encoding: 'utf8' }));
  await new Promise((r) => setTimeout(r, 1500)); // last notifications and flushes
  child.stdin.end();
  await lines.next();
  await new Promise((r) => child.once('exit', r));
  const { ArchivalRecord } = await import('@tcpinfo/netlink');
  const bytes = new Map(conns.map((c) => [c.sport, BigInt(c.bytes)]));
  let good = 0;
  for (const f of files(out)) {
    const recs = execFileSync('zstd', ['-dc', f], { encoding: 'utf8' }).trim().split('\n');
    const last = ArchivalRecord.parseLine(recs.at(-1));
    const idm = Buffer.from(last.rawIdm);
    const info = last.attribute(2);
    if (!info || info.length < 208) continue;
    const sport = idm.readUInt16BE(4);
    const dport = idm.readUInt16BE(6);
    const v = Buffer.from(info);
    // The server is 192.0.2.1 (a client's ephemeral port may equal the server's port).
    const isServer = idm[8] === 192 && idm[9] === 0 && idm[10] === 2 && idm[11] === 1;
    if (isServer && sport === port && v.readBigUInt64LE(128) === bytes.get(dport) + 1n) good++;
    else if (!isServer && v.readBigUInt64LE(200) === bytes.get(sport)) good++;
  }
  rmSync(out, { recursive: true, force: true });
  return good;
}

function captureCase(name, destroyEvents) {
  return {
    name,
    unit: 'sockets',
    async measureAsync() {
      const ns = netns();
      try {
        const t0 = performance.now();
        const good = await captured(ns.name, destroyEvents);
        const ms = performance.now() - t0;
        if (destroyEvents && good !== 2 * N) throw new Error(`captured ${good} of ${2 * N} sockets with destroy notifications`);
        return { items: good, elapsedMs: ms, notes: `captured ${good} of ${2 * N} short-lived sockets with exact final counts (${((100 * good) / (2 * N)).toFixed(1)}%)` };
      } finally {
        ns.destroy();
      }
    },
  };
}

export const cases =
  process.getuid?.() === 0
    ? [captureCase(`capture, ${N} short connections, destroy notifications`, true), captureCase(`capture, ${N} short connections, polling only`, false)]
    : (process.stderr.write('*** capture.bench: SKIPPED, needs root for a network namespace ***\n'), []);
