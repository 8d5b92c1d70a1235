#!/usr/bin/env node
// Query load for query-live.mjs: asks the query socket RATE times a second for
// SECONDS seconds (GET /connections/{uuid}, UUIDs taken round-robin from one
// listing, starting at OFFSET), over up to SOCKETS keep-alive connections.
// Prints one JSON line when done: { sent, ok, notFound, failed, elapsedMs }.
// usage: node query-load.mjs SOCKET RATE SECONDS [SOCKETS] [OFFSET]
//
// Why the schedule is by elapsed time: a timer on a loaded machine fires late,
// and a fixed number per tick then asks for less than RATE. Each tick sends
// what the clock says is due. Why many sockets: an answer waits for the
// polling thread's next batch (about one per 10 ms cycle), so a client with 8
// connections in flight can get at most ~800 answers a second.
import { Agent, request } from 'node:http';

const [socketPath, rateText, secondsText, socketsText = '32', offsetText = '0'] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const agent = new Agent({ keepAlive: true, maxSockets: Number(socketsText) });

function get(path) {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, agent, host: 'tcp-info' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

const list = JSON.parse((await get('/connections')).body);
const uuids = list.map((e) => e.uuid);
const offset = Number(offsetText);
const counts = { sent: 0, ok: 0, notFound: 0, failed: 0 };
const pending = [];
const start = performance.now();
const total = Math.round(rate * seconds);
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    while (counts.sent < due) {
      const uuid = uuids[(offset + counts.sent++) % uuids.length];
      pending.push(get(`/connections/${encodeURIComponent(uuid)}`).then((r) => {
        if (r.status === 200 && JSON.parse(r.body).uuid === uuid) counts.ok++;
        else if (r.status === 404) counts.notFound++;
        else counts.failed++;
      }));
    }
    if (counts.sent >= total) {
      clearInterval(timer);
      resolve();
    }
  }, 5);
});
await Promise.all(pending);
agent.destroy();
console.log(JSON.stringify({ ...counts, elapsedMs: performance.now() - start }));
