// The burst of issue "No connection missed" (20,000 closes within a second), used by
// burst-live.test.ts: collector (run-collector.mjs) + "burst.mjs server" + "burst.mjs
// client PORT:10000" in one namespace, then "close" to both.
// Inside a test namespace: ROLE "server" listens on 192.0.2.1 and prints its port;
// ROLE "client" opens COUNT connections to it from 192.0.2.2 and prints "ready".
// On a line "close" on stdin, every socket is destroyed at once; the process
// exits when all are closed. Each side runs in its own process (file-descriptor limit).
import net from 'node:net';
import readline from 'node:readline';

const [role, arg] = process.argv.slice(2);
const sockets = new Set();
const track = (s) => {
  sockets.add(s);
  s.on('error', () => {});
  s.on('close', () => {
    sockets.delete(s);
    if (closing && sockets.size === 0) process.exit(0);
  });
};
let closing = false;
readline.createInterface({ input: process.stdin }).on('line', (l) => {
  if (l.trim() !== 'close') return;
  closing = true;
  server?.close();
  for (const s of sockets) s.destroy();
  if (sockets.size === 0) process.exit(0);
});

let server;
if (role === 'server') {
  server = net.createServer(track);
  server.maxConnections = 100_000;
  server.listen({ host: '192.0.2.1', port: 0, backlog: 4096 }, () => process.stdout.write(`${server.address().port}\n`));
} else {
  const [port, count] = arg.split(':').map(Number);
  let open = 0;
  const batch = 200;
  const dial = (n) =>
    Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
      const s = net.connect({ host: '192.0.2.1', port, localAddress: '192.0.2.2' }, () => {
        open++;
        resolve();
      });
      track(s);
      s.once('error', reject);
    })));
  for (let done = 0; done < count; done += batch) await dial(Math.min(batch, count - done));
  process.stdout.write(`ready ${open}\n`);
}
