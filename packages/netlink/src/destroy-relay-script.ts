import { NETLINK_SOCK_DIAG, SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET_TCP_DESTROY } from '@tcpinfo/inetdiag';

/**
 * The program of the destroy-notification relay process (see destroy-listener.ts),
 * run as `node -e RELAY_SCRIPT <path of the netlink package> <SO_RCVBUF bytes>`.
 *
 * Why a separate process: the `netlink` binding (0.3.0) aborts the whole process
 * (std::terminate on a Napi::Error) when libuv reports a poll error on its
 * socket, which is what happens when the kernel flags a multicast overrun
 * (ENOBUFS) while the socket is idle in epoll. A burst of closes triggers it.
 * The relay is expendable: the daemon counts its abort as an overrun and starts
 * another. It also reads on an event loop of its own, which the daemon's polling
 * never delays, so the kernel's buffer drains faster than the daemon could.
 *
 * Kept as a string so that it runs the same from the sources (tests), the ESM
 * build and the CommonJS build, with nothing to locate on disk but `netlink`.
 *
 * Output, on fd 3: frames of a 4-byte little-endian length and that many bytes
 * (one datagram from the kernel). Length 0 marks an overrun the binding did report
 * (recvmsg returned ENOBUFS); 0xffffffff says the groups are joined. A refusal to
 * join exits with status 3 and the error on stderr. Stdin's end (the daemon is
 * gone) ends it.
 */
export const RELAY_SCRIPT = String.raw`
'use strict';
process.title = 'tcp-info destroy relay';
const net = require('node:net');
const { RawNetlinkSocket } = require(process.argv[1]);
const recvBufferSize = Number(process.argv[2]);
const out = new net.Socket({ fd: 3, readable: false });
out.on('error', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
// Frames written during one turn of the loop leave in one write.
let corked = false;
function send(frame) {
  if (!corked) {
    corked = true;
    out.cork();
    setImmediate(() => { corked = false; out.uncork(); });
  }
  out.write(frame);
}
function marker(value) {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(value, 0);
  send(b);
}
let sock;
try {
  sock = new RawNetlinkSocket(${NETLINK_SOCK_DIAG}, { recvBufferSize, sendBufferSize: 4096 });
  sock.addMembership(${SKNLGRP_INET_TCP_DESTROY});
  sock.addMembership(${SKNLGRP_INET6_TCP_DESTROY});
} catch (err) {
  process.stderr.write((err && (err.code || err.message)) + '\n');
  process.exit(3);
}
sock.on('message', (datagram) => {
  const frame = Buffer.allocUnsafe(4 + datagram.length);
  frame.writeUInt32LE(datagram.length, 0);
  datagram.copy(frame, 4);
  send(frame);
});
sock.on('error', (err) => {
  if (err && err.code === 'ENOBUFS') return marker(0);
  process.stderr.write('destroy notifications: ' + (err && err.message) + '\n');
  process.exit(4);
});
marker(0xffffffff);
`;
