/**
 * The code of the saver's write thread (run with `new Worker(src, { eval: true })`,
 * so the package ships no second entry file). It receives batches of appends,
 * performs each with plain synchronous calls, in order, and answers each batch
 * with one message. Synchronous calls are fine here — this thread only ever
 * waits for the disk — and they cost a third of the CPU of libuv's pool per
 * write, with no round trip through the main thread between open and write.
 *
 * Message in: { appends: [{ path, goodSize, data: [offset, length], header: [offset, length] }],
 *               bytes: ArrayBuffer, now, release: string[], releaseAll } (`now`: the
 * saver's clock in ms; `release`: paths whose descriptor to close first;
 * `releaseAll`: close every one).
 * Message out: { results: [{ size, restarted } | { code, message }] }.
 *
 * Same rules as the former libuv writer: descriptors of recently written files
 * are kept (LRU, at most maxOpenFiles) and re-checked against their path after
 * recheckMs (deleted under us?); on (re)open a file larger than goodSize has a
 * torn tail, cut off; a smaller one was deleted or truncated: it is emptied and
 * the header frame written first (restarted). A missing directory is created.
 */
export const WRITE_THREAD_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND;
const maxOpenFiles = workerData.maxOpenFiles;
const recheckMs = workerData.recheckMs;
/** path -> { fd, checkedAt }, least recently used first (Map order). */
const open = new Map();

function drop(p) {
  const e = open.get(p);
  if (e === undefined) return;
  open.delete(p);
  try { fs.closeSync(e.fd); } catch {}
}

function trim() {
  for (const p of open.keys()) {
    if (open.size <= maxOpenFiles) break;
    drop(p);
  }
}

function writeAll(fd, view) {
  let off = 0;
  while (off < view.length) off += fs.writeSync(fd, view, off, view.length - off);
}

function openPath(p) {
  try {
    return fs.openSync(p, FLAGS, 0o644);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    return fs.openSync(p, FLAGS, 0o644);
  }
}

function append(a, bytes, now) {
  const data = new Uint8Array(bytes, a.data[0], a.data[1]);
  let e = open.get(a.path);
  if (e !== undefined) {
    open.delete(a.path);
    if (now - e.checkedAt < recheckMs) {
      open.set(a.path, e);
      try {
        writeAll(e.fd, data);
      } catch (err) {
        drop(a.path);
        throw err;
      }
      return { size: a.goodSize + data.length, restarted: false };
    }
    // Time to check that the path still is our file: reopen it below.
    try { fs.closeSync(e.fd); } catch {}
  }
  const fd = openPath(a.path);
  e = { fd, checkedAt: now };
  open.set(a.path, e);
  trim();
  try {
    let base = a.goodSize;
    let restarted = false;
    if (base > 0) {
      const size = fs.fstatSync(fd).size;
      if (size !== base) {
        // Larger: a torn write to cut off. Smaller: deleted or truncated under us.
        const keep = size > base ? base : 0;
        fs.ftruncateSync(fd, keep);
        base = keep;
        if (keep === 0) {
          restarted = true;
          const header = new Uint8Array(bytes, a.header[0], a.header[1]);
          writeAll(fd, header);
          base = header.length;
        }
      }
    }
    writeAll(fd, data);
    return { size: base + data.length, restarted };
  } catch (err) {
    drop(a.path);
    throw err;
  }
}

parentPort.on('message', (m) => {
  if (m.releaseAll) for (const p of [...open.keys()]) drop(p);
  for (const p of m.release) drop(p);
  const now = m.now;
  const results = [];
  for (const a of m.appends) {
    try {
      results.push(append(a, m.bytes, now));
    } catch (err) {
      results.push({ code: err.code || 'EIO', message: String(err.message) });
    }
  }
  parentPort.postMessage({ results, openFiles: open.size });
});
`;
