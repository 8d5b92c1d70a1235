#!/usr/bin/env node
// Run inside a test namespace: listens on 192.0.2.1, prints "listening", and
// on a line "go" on stdin connects from 192.0.2.2, sends as fast as it can for
// MS milliseconds, half-closes, reads the server's REPLY bytes back, and
// prints one JSON line {sport, dport, sent, received} once both ends are closed.
//
// usage: node bulk-transfer.mjs MS REPLY
import net from 'node:net';
import readline from 'node:readline';

const [ms, reply] = process.argv.slice(2).map(Number);
const chunk = Buffer.alloc(64 * 1024, 0x61);

let serverClosed;
const serverDone = new Promise((resolve) => (serverClosed = resolve));
const server = net.createServer((s) => {
  s.on('data', () => {});
  s.on('end', () => s.end(Buffer.alloc(reply, 0x62)));
  s.on('close', serverClosed);
});
await new Promise((resolve) => server.listen({ host: '192.0.2.1', port: 0 }, resolve));
const port = server.address().port;
process.stdout.write('listening\n');

await new Promise((resolve) => readline.createInterface({ input: process.stdin }).once('line', resolve));
const client = net.connect({ host: '192.0.2.1', port, localAddress: '192.0.2.2' });
await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
let received = 0;
client.on('data', (d) => (received += d.length));
const clientDone = new Promise((resolve) => client.on('close', resolve));

let sent = 0;
const until = Date.now() + ms;
while (Date.now() < until) {
  sent += chunk.length;
  if (!client.write(chunk)) await new Promise((resolve) => client.once('drain', resolve));
}
client.end();
await Promise.all([clientDone, serverDone]);
server.close();
process.stdout.write(JSON.stringify({ sport: client.localPort, dport: port, sent, received }) + '\n');
