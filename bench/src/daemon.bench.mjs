// The daemon's in-process work per cycle, on the BUILT packages (dist/), with
// kernel messages recorded on Linux 6.18. The live, end-to-end budget (real
// sockets in a namespace, CPU per cycle against the bare dump) is measured by
// daemon-live.mjs (root): `node bench/src/daemon-live.mjs`.
import { Compressor } from 'zstd-napi';
import { findAttribute, loadPayloads } from './fixtures.mjs';

const dist = (name) => new URL(`../../packages/${name}/dist/index.js`, import.meta.url).href;
const { ConnectionCache, UpdateResult } = await import(dist('cache'));
const { ArchivalRecord, GoTime } = await import(dist('netlink'));

const INET_DIAG_INFO = 2;
const IDIAG_EXPIRES = 52;
const IDIAG_COOKIE = 44;
const TCPI_LAST_DATA_SENT = 44;
const TCPI_BYTES_ACKED = 120;
const SOCKETS = 10_000;

function assert(ok, message) {
  if (!ok) throw new Error(message);
}

const message = loadPayloads().find((p) => p[0] === 2 && p[1] === 1); // an established IPv4 socket
const [infoStart] = findAttribute(message, INET_DIAG_INFO);

/** `count` sockets with distinct cookies; `variant` moves only what the rules ignore (idle) or bytes_acked (busy). */
function sockets(count, variant, busy = false) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const p = Buffer.from(message);
    p.writeUInt32LE(0x1000 + i, IDIAG_COOKIE);
    p.writeUInt32LE(variant * 7 + i, IDIAG_EXPIRES);
    p.writeUInt32LE(variant * 13, infoStart + TCPI_LAST_DATA_SENT);
    if (busy) p.writeBigUInt64LE(BigInt(variant * 1000 + i), infoStart + TCPI_BYTES_ACKED);
    out.push(p);
  }
  return out;
}

// A cache primed with 10,000 sockets; cycles alternate between two idle variants.
const idleCycles = [sockets(SOCKETS, 1), sockets(SOCKETS, 2)];
const cache = new ConnectionCache();
for (const p of idleCycles[0]) cache.update(p);
cache.endCycle();
let turn = 0;

// 2,000 busy connections: each snapshot changed and encoded (the saver's buffering and
// I/O are in daemon-live.mjs: here they would only pile up lines in memory).
const BUSY = 2_000;
const busyCycles = [sockets(BUSY, 1, true), sockets(BUSY, 2, true)];
const busyCache = new ConnectionCache();
for (const p of busyCycles[0]) busyCache.update(p);
busyCache.endCycle();
const timestamp = GoTime.parse('2026-11-25T02:37:31.123456789Z');
let busyTurn = 0;

// One connection's second of JSONL (4 snapshots + header), compressed as one frame.
const lines = [];
for (let i = 0; i < 4; i++) lines.push(ArchivalRecord.fromMessage(busyCycles[i % 2][0], timestamp).toJSONLine() + '\n');
const second = Buffer.from(lines.join(''));
const compressor = new Compressor();
compressor.setParameters({ compressionLevel: 3 });

/** @type {import('./harness.mjs').BenchCase[]} */
export const cases = [
  {
    name: 'cache: cycle of 10,000 idle sockets (update + endCycle)',
    unit: 'sockets',
    items: SOCKETS,
    run: () => {
      const cycle = idleCycles[(turn = 1 - turn)];
      let unchanged = 0;
      for (const p of cycle) if (cache.update(p) === UpdateResult.Unchanged) unchanged++;
      const gone = cache.endCycle().length;
      return { unchanged, gone, size: cache.size };
    },
    check: (r) => assert(r.unchanged === SOCKETS && r.gone === 0 && r.size === SOCKETS, `unexpected cycle ${JSON.stringify(r)}`),
  },
  {
    name: 'cycle of 2,000 busy sockets: cache, record, JSON line',
    unit: 'sockets',
    items: BUSY,
    run: () => {
      const cycle = busyCycles[(busyTurn = 1 - busyTurn)];
      let changed = 0;
      let bytes = 0;
      for (const p of cycle) {
        if (busyCache.update(p) !== UpdateResult.Changed) continue;
        bytes += ArchivalRecord.fromMessage(busyCache.lastEntry.payload, timestamp).toJSONLine().length;
        changed++;
      }
      busyCache.endCycle();
      return { changed, bytes };
    },
    check: (r) => assert(r.changed === BUSY && r.bytes > BUSY * 500, `unexpected ${JSON.stringify(r)}`),
  },
  {
    name: 'zstd -3 frame of one connection-second (4 snapshots)',
    unit: 'frames',
    run: () => compressor.compress(second),
    check: (frame) => assert(frame.length > 0 && frame.length < second.length, 'frame not smaller than its input'),
  },
];
