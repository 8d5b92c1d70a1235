#!/usr/bin/env node
// Run inside a test namespace: listens on end A, opens COUNT connections from end B
// (IPv4 and/or IPv6), makes each side send BYTES bytes, then prints one JSON line
// describing the connections and keeps them open until stdin closes or a line
// "close" arrives (then closes them all and exits once every socket is closed).
//
// usage: node conn-fixture.mjs [--count N] [--bytes N] [--family 4|6|both] [--port P] [--addr4 A,B]
// (--addr4: the IPv4 addresses of ends A and B instead of 192.0.2.1 and .2)
import net from 'node:net';
import readline from 'node:readline';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const count = Number(opt('count', '1'));
const bytes = Number(opt('bytes', '1000'));
const family = opt('family', 'both');
const port = Number(opt('port', '0'));
const hosts = [];
if (family === '4' || family === 'both') hosts.push(opt('addr4', '192.0.2.1,192.0.2.2').split(','));
if (family === '6' || family === 'both') hosts.push(['2001:db8::1', '2001:db8::2']);

const sockets = [];
const servers = [];
const conns = [];

async function listen(host) {
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.on('data', () => {});
    s.write(Buffer.alloc(bytes, 0x61));
  });
  servers.push(server);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, resolve);
  });
  return server.address().port;
}

async function connect(host, localAddress, p) {
  const s = net.connect({ host, port: p, localAddress });
  sockets.push(s);
  s.on('error', () => {});
  await new Promise((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  let got = 0;
  await new Promise((resolve) => {
    if (bytes === 0) resolve();
    s.on('data', (d) => {
      got += d.length;
      if (got >= bytes) resolve();
    });
    s.write(Buffer.alloc(bytes, 0x62));
  });
  conns.push({ src: localAddress, sport: s.localPort, dst: host, dport: p });
}

for (const [a, b] of hosts) {
  const p = await listen(a);
  for (let i = 0; i < count; i++) await connect(a, b, p);
}
process.stdout.write(JSON.stringify({ connections: conns }) + '\n');

const close = () => {
  for (const s of sockets) s.destroy();
  for (const srv of servers) srv.close();
  setImmediate(() => process.exit(0));
};
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (l) => {
  if (l.trim() === 'close') close();
});
rl.on('close', close);
