#!/usr/bin/env node
// Query load for query-live.mjs: asks the query socket RATE times a second for
// SECONDS seconds (GET /connections/{uuid}, UUIDs taken round-robin from one
// listing), over keep-alive connections. Prints one JSON line when done:
// { sent, ok, notFound, failed, elapsedMs }.
// usage: node query-load.mjs SOCKET RATE SECONDS
import { Agent, request } from 'node:http';

const [socketPath, rateText, secondsText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

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
const counts = { sent: 0, ok: 0, notFound: 0, failed: 0 };
const pending = [];
const start = performance.now();
// 10 requests every 10 ms: RATE/s without bursts that a 1 s tick would make.
const perTick = Math.max(1, Math.round(rate / 100));
await new Promise((resolve) => {
  const timer = setInterval(() => {
    if (performance.now() - start >= seconds * 1000) {
      clearInterval(timer);
      resolve();
      return;
    }
    for (let i = 0; i < perTick; i++) {
      const uuid = uuids[counts.sent++ % uuids.length];
      pending.push(get(`/connections/${encodeURIComponent(uuid)}`).then((r) => {
        if (r.status === 200 && JSON.parse(r.body).uuid === uuid) counts.ok++;
        else if (r.status === 404) counts.notFound++;
        else counts.failed++;
      }));
    }
  }, 10);
});
await Promise.all(pending);
agent.destroy();
console.log(JSON.stringify({ ...counts, elapsedMs: performance.now() - start }));
