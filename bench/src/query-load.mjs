#!/usr/bin/env node
// Query load for query-live.mjs: asks the query socket RATE times a second for
// SECONDS seconds (GET /connections/{uuid}, UUIDs taken round-robin from one
// listing, starting at OFFSET), over SOCKETS keep-alive connections.
// Prints one JSON line when done: { sent, ok, notFound, failed, elapsedMs }.
// usage: node query-load.mjs SOCKET RATE SECONDS [SOCKETS] [OFFSET]
//
// Why raw sockets rather than node:http's client: the load shares the 2-core
// machine with the daemon it measures, and the HTTP client's own CPU (~100 µs
// a request) at 1,000 a second takes the polling thread's core from it as
// much as the queries do. Requests are a fixed text; an answer is counted
// from its status line, Content-Length and the UUID in its body.
//
// Why the schedule is by elapsed time: a timer on a loaded machine fires late,
// and a fixed number per tick then asks for less than RATE. Each tick sends
// what the clock says is due. Why several connections: an answer waits for
// the polling thread's next batch, so one connection's pipeline is as slow as
// its first request.
import { request } from 'node:http';
import { connect } from 'node:net';

const [socketPath, rateText, secondsText, socketsText = '16', offsetText = '0'] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection: requests written back to back, answers read in order. */
function openConnection() {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const waiting = []; // { uuid, resolve } in request order
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf(HEADER_END);
        if (end < 0) return;
        const head = pending.toString('latin1', 0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const status = Number(head.slice(9, 12));
        const body = pending.toString('utf8', end + 4, end + 4 + length);
        pending = pending.subarray(end + 4 + length);
        const w = waiting.shift();
        w?.resolve(status === 200 && body.includes(`"uuid":"${w.uuid}"`) ? 'ok' : status === 404 ? 'notFound' : 'failed');
      }
    });
    socket.once('connect', () => resolve({
      get: (uuid) => new Promise((done) => {
        waiting.push({ uuid, resolve: done });
        socket.write(`GET /connections/${encodeURIComponent(uuid)} HTTP/1.1\r\nHost: tcp-info\r\n\r\n`);
      }),
      close: () => socket.end(),
    }));
    socket.once('error', reject);
    socket.once('close', () => {
      for (const w of waiting.splice(0)) w.resolve('failed');
    });
  });
}

/** One GET with node:http (the listing, streamed in chunks), body returned. */
function getOnce(path) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, host: 'tcp-info' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.once('error', reject);
    req.end();
  });
}

const uuids = JSON.parse(await getOnce('/connections')).map((e) => e.uuid);
const offset = Number(offsetText);
const connections = await Promise.all(Array.from({ length: Number(socketsText) }, openConnection));
const counts = { sent: 0, ok: 0, notFound: 0, failed: 0 };
const pending = [];
const start = performance.now();
const total = Math.round(rate * seconds);
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    while (counts.sent < due) {
      const uuid = uuids[(offset + counts.sent) % uuids.length];
      const c = connections[counts.sent++ % connections.length];
      pending.push(c.get(uuid).then((outcome) => counts[outcome]++));
    }
    if (counts.sent >= total) {
      clearInterval(timer);
      resolve();
    }
  }, 5);
});
await Promise.all(pending);
const elapsedMs = performance.now() - start;
for (const c of connections) c.close();
console.log(JSON.stringify({ ...counts, elapsedMs }));
