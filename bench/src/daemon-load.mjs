#!/usr/bin/env node
// Load for the daemon benchmark, run INSIDE its network namespace: COUNT
// connections between the namespace's veth ends (half IPv4, half IPv6; both
// ends live here, so 2*COUNT sockets), opened 200 at a time. With --every MS
// each connection's client writes 100 bytes every MS milliseconds (timers
// spread evenly), otherwise the connections stay idle. Prints one JSON line
// when ready; closes everything and exits when stdin ends.
//
// usage: node daemon-load.mjs --count N [--every MS]
import net from 'node:net';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const count = arg('count', 1000);
const every = arg('every', 0);
const sockets = [];
const servers = [];
const timers = [];

async function listen(host) {
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.on('data', () => {});
  });
  servers.push(server);
  await new Promise((resolve, reject) => server.once('error', reject).listen({ host, port: 0, backlog: 4096 }, resolve));
  return server.address().port;
}

function connect(host, localAddress, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress });
    sockets.push(s);
    s.once('connect', () => resolve(s)).once('error', reject);
  });
}

const families = [
  ['192.0.2.1', '192.0.2.2'],
  ['2001:db8::1', '2001:db8::2'],
];
const clients = [];
for (const [i, [server, client]] of families.entries()) {
  const port = await listen(server);
  const n = i === 0 ? Math.ceil(count / 2) : Math.floor(count / 2);
  for (let done = 0; done < n; ) {
    const batch = Math.min(200, n - done);
    clients.push(...(await Promise.all(Array.from({ length: batch }, () => connect(server, client, port)))));
    done += batch;
  }
}
if (every > 0) {
  const payload = Buffer.alloc(100, 0x61);
  clients.forEach((s, i) => {
    // Spread the writers evenly over the period, so every poll sees a few.
    timers.push(setTimeout(() => timers.push(setInterval(() => s.write(payload), every)), (i * every) / clients.length));
  });
}
process.stdout.write(JSON.stringify({ connections: clients.length, sockets: sockets.length }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  setImmediate(() => process.exit(0));
});
