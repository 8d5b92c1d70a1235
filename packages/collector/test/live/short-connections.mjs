// Inside a test namespace: COUNT short connections from 192.0.2.2 to 192.0.2.1,
// one after another; connection i's client sends BASE+i bytes, the server reads
// them all and both close. Prints {port, conns: [{sport, bytes}]} when done.
import net from 'node:net';

const count = Number(process.argv[2] ?? 1000);
const base = 1000;
const server = net.createServer((s) => {
  s.on('data', () => {});
  s.on('end', () => s.end());
  s.on('error', () => {});
});
await new Promise((r) => server.listen(0, '192.0.2.1', r));
const port = server.address().port;
const conns = [];
for (let i = 0; i < count; i++) {
  const bytes = base + i;
  await new Promise((resolve, reject) => {
    const c = net.connect({ host: '192.0.2.1', port, localAddress: '192.0.2.2' }, () => {
      conns.push({ sport: c.localPort, bytes });
      c.end(Buffer.alloc(bytes, 0x63));
    });
    c.on('data', () => {});
    c.on('error', reject);
    c.on('close', resolve);
  });
}
server.close();
process.stdout.write(JSON.stringify({ port, conns }) + '\n');
