// Runs inside a test namespace: dumps both families with the BUILT socket and
// prints one JSON line per socket with the fields the live test compares to ss.
import { decodeCongestion, decodeInetDiagMsg, buildInetDiagReqV2, AF_INET, AF_INET6 } from '@tcpinfo/inetdiag';
import { decodeTcpInfo } from '@tcpinfo/tcp';
import { attributes, InetDiagSocket } from '../../dist/index.js';

const socket = InetDiagSocket.open();
const out = [];
for (const family of [AF_INET6, AF_INET]) {
  await socket.dump(buildInetDiagReqV2({ family }), (payload) => {
    const m = decodeInetDiagMsg(payload);
    const rec = { family, state: m.state, src: m.id.src, sport: m.id.sport, dst: m.id.dst, dport: m.id.dport, cookie: m.id.cookie.toString(16), attrs: [] };
    for (const { type, value } of attributes(payload, 72)) {
      rec.attrs.push(type);
      if (type === 2) {
        const info = decodeTcpInfo(value);
        Object.assign(rec, { infoLength: info.length, cwnd: info.sndCwnd, mss: info.sndMss, bytesAcked: String(info.bytesAcked), bytesReceived: String(info.bytesReceived) });
      }
      if (type === 4) rec.cong = decodeCongestion(value);
    }
    out.push(rec);
  });
}
process.stdout.write(JSON.stringify(out) + '\n');
// No close(): the test also checks that an idle socket does not keep the process alive.
