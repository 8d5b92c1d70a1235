#!/usr/bin/env node
// Records the kernel's inet_diag replies for every TCP socket of the current
// network namespace (one dump per family, IPv6 first, as the daemon asks) and
// writes the raw messages (nlmsghdr + payload, host order) back to back to the
// file named by argv[2]. Used to make fixtures from a live kernel, e.g.
// packages/testing/fixtures/kernel-6.18-messages.bin.zst:
//
//   ip netns exec NS node packages/testing/src/conn-fixture.mjs --count 3 --bytes 100000 &
//   ip netns exec NS node packages/netlink/test/live/record-kernel-messages.cjs out.bin && zstd -19 out.bin
//
// Run it only inside a test namespace: it records whatever sockets it sees.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { RawNetlinkSocket } = createRequire(path.join(__dirname, '../../package.json'))('netlink');

const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST_DUMP = 0x301;
const ALL_STATES_BUT_SYN_RECV_TIME_WAIT_CLOSE = 0xfff & ~((1 << 3) | (1 << 6) | (1 << 7));

function dumpRequest(family, seq) {
  const msg = Buffer.alloc(16 + 56);
  msg.writeUInt32LE(msg.length, 0);
  msg.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  msg.writeUInt16LE(NLM_F_REQUEST_DUMP, 6);
  msg.writeUInt32LE(seq, 8);
  msg[16] = family;
  msg[17] = 6; // IPPROTO_TCP
  msg[18] = 0xff; // every extension
  msg.writeUInt32LE(ALL_STATES_BUT_SYN_RECV_TIME_WAIT_CLOSE, 20);
  return msg;
}

const recorded = [];
const families = [10, 2];
let seq = 1;
const sock = new RawNetlinkSocket(NETLINK_SOCK_DIAG, { recvBufferSize: 1 << 20, sendBufferSize: 1 << 16, msgBufferSize: 1 << 16 });
sock.on('error', (err) => {
  console.error(err);
  process.exit(1);
});
function nextDump() {
  const family = families.shift();
  if (family === undefined) {
    fs.writeFileSync(process.argv[2], Buffer.concat(recorded));
    console.error(`recorded ${recorded.length} messages`);
    sock.close();
    return;
  }
  sock.send(dumpRequest(family, seq++));
}
sock.on('message', (datagram) => {
  for (let p = 0; p + 16 <= datagram.length; ) {
    const len = datagram.readUInt32LE(p);
    const type = datagram.readUInt16LE(p + 4);
    if (type === NLMSG_DONE) return nextDump();
    if (type === NLMSG_ERROR) throw new Error(`NLMSG_ERROR ${datagram.readInt32LE(p + 16)}`);
    recorded.push(Buffer.from(datagram.subarray(p, p + len)));
    p += (len + 3) & ~3;
  }
});
nextDump();
