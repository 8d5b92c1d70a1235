/**
 * The destroy-notification relay: a program of its own, run by
 * destroy-listener.ts as
 * `node <flags> dist/destroy-relay.js <protocol> <SO_RCVBUF bytes> <group>…`
 * (built as a separate tsup entry; the listener passes the sock_diag numbers so
 * that this process loads nothing of ours).
 *
 * Why a separate process: the `netlink` binding (0.3.0) aborts the whole process
 * (std::terminate on a Napi::Error) when libuv reports a poll error on its
 * socket, which is what happens when the kernel flags a multicast overrun
 * (ENOBUFS) while the socket is idle in epoll. A burst of closes triggers it.
 * The relay is expendable: the daemon counts its abort as an overrun and starts
 * another. It also reads on an event loop of its own, which the daemon's polling
 * never delays, so the kernel's buffer drains faster than the daemon could.
 *
 * Output, on fd 3: frames of a 4-byte little-endian length and that many bytes
 * (one datagram from the kernel), cut by destroy-relay-frames.ts, which also holds
 * the markers (RELAY_OVERRUN: the binding reported ENOBUFS; RELAY_JOINED) and
 * exit statuses both sides use. A refusal to join exits with {@link RELAY_EXIT_REFUSED}
 * and the error on stderr. Stdin's end (the daemon is gone) ends it.
 */
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import type { RawNetlinkSocket as RawNetlinkSocketClass } from 'netlink';
import { RELAY_EXIT_ERROR, RELAY_EXIT_REFUSED, RELAY_JOINED, RELAY_OVERRUN } from './destroy-relay-frames.js';

process.title = 'tcp-info destroy relay';
const [protocol, recvBufferSize, ...groups] = process.argv.slice(2).map(Number);

// Only the raw socket layer: the package's index also loads its generated
// rtnetlink/genl/nl80211/wireguard structs, ~4 MB of this process's memory.
const { RawNetlinkSocket } = createRequire(import.meta.url)('netlink/dist/raw.js') as { RawNetlinkSocket: typeof RawNetlinkSocketClass };

const out = new Socket({ fd: 3, readable: false });
out.on('error', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

// Frames written during one turn of the loop leave in one write.
let corked = false;
function send(frame: Buffer): void {
  if (!corked) {
    corked = true;
    out.cork();
    setImmediate(() => {
      corked = false;
      out.uncork();
    });
  }
  out.write(frame);
}

function marker(value: number): void {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(value, 0);
  send(b);
}

let sock: RawNetlinkSocketClass;
try {
  sock = new RawNetlinkSocket(protocol!, { recvBufferSize: recvBufferSize!, sendBufferSize: 4096 });
  for (const group of groups) sock.addMembership(group);
} catch (err) {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`${e.code ?? e.message}\n`);
  process.exit(RELAY_EXIT_REFUSED);
}
sock.on('message', (datagram: Buffer) => {
  const frame = Buffer.allocUnsafe(4 + datagram.length);
  frame.writeUInt32LE(datagram.length, 0);
  datagram.copy(frame, 4);
  send(frame);
});
sock.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'ENOBUFS') return marker(RELAY_OVERRUN);
  process.stderr.write(`destroy notifications: ${err.message}\n`);
  process.exit(RELAY_EXIT_ERROR);
});
marker(RELAY_JOINED);
