// Inside a test namespace: one connection whose server side the kernel destroys
// long after polling stopped seeing it (the test stops the server process).
// ROLE "server": listens on 192.0.2.1, prints its port, then "ready" once a
//   client connected; exits when that connection ends (e.g. reset by the client).
// ROLE "client PORT": connects from 192.0.2.2; on a line "reset" on stdin resets
//   the connection (RST), prints "reset" once its socket is gone, and exits.
// While the server process is stopped, its socket sits in CLOSE (dumps do not
// show that state) and the kernel destroys it only when the process runs again.
import net from 'node:net';
import readline from 'node:readline';

const [role, port] = process.argv.slice(2);
if (role === 'server') {
  const server = net.createServer((s) => {
    process.stdout.write('ready\n');
    s.on('error', () => {});
    s.on('close', () => process.exit(0));
  });
  server.listen(0, '192.0.2.1', () => process.stdout.write(`${server.address().port}\n`));
} else {
  const client = net.connect({ host: '192.0.2.1', port: Number(port), localAddress: '192.0.2.2' });
  client.on('error', () => {});
  readline.createInterface({ input: process.stdin }).on('line', (l) => {
    if (l !== 'reset') return;
    client.once('close', () => {
      process.stdout.write('reset\n');
      process.exit(0);
    });
    client.resetAndDestroy();
  });
}
