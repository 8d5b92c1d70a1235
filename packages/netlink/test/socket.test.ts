import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, buildInetDiagReqV2 } from '@tcpinfo/inetdiag';
import { DUMP_DATAGRAM_BYTES, InetDiagSocket, NetlinkError } from '../src/index.js';

// Dumps of this machine's own sockets: read-only, no privileges needed.
const sockets: InetDiagSocket[] = [];
const open = (options?: Parameters<typeof InetDiagSocket.open>[0]) => {
  const s = InetDiagSocket.open(options);
  sockets.push(s);
  return s;
};
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe('InetDiagSocket', () => {
  it('dumps each family and reports the count', async () => {
    const s = open();
    for (const family of [AF_INET6, AF_INET]) {
      let n = 0;
      const r = await s.dump(buildInetDiagReqV2({ family }), (payload) => {
        expect(payload[0]).toBe(family);
        n++;
      });
      expect(r.messages).toBe(n);
      expect(r.datagrams).toBeGreaterThanOrEqual(1);
    }
  });

  it('turns NLMSG_ERROR into a NetlinkError with the errno (an unknown family)', async () => {
    const body = buildInetDiagReqV2({ family: AF_INET });
    body[0] = 99; // beyond AF_MAX: the kernel answers NLMSG_ERROR -EINVAL
    await expect(open().dump(body, () => {})).rejects.toMatchObject({ name: 'NetlinkError', code: 'EINVAL', errno: 22 });
  });

  it("turns NLMSG_DONE's error value into a NetlinkError (an unknown protocol)", async () => {
    const s = open();
    await expect(s.dump(buildInetDiagReqV2({ family: AF_INET, protocol: 200 }), () => {})).rejects.toMatchObject({ code: 'ENOENT' });
    // and the socket is usable afterwards
    await expect(s.dump(buildInetDiagReqV2({ family: AF_INET }), () => {})).resolves.toMatchObject({ interrupted: false });
  });

  it('refuses a second dump while one is in flight', async () => {
    const s = open();
    const first = s.dump(buildInetDiagReqV2({ family: AF_INET }), () => {});
    await expect(s.dump(buildInetDiagReqV2({ family: AF_INET }), () => {})).rejects.toMatchObject({ code: 'BUSY' });
    await first;
  });

  it('fails the dump with what the callback threw, then works again', async () => {
    const s = open();
    // A listening socket of our own guarantees at least one reply.
    const { createServer } = await import('node:net');
    const srv = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    try {
      await expect(
        s.dump(buildInetDiagReqV2({ family: AF_INET }), () => {
          throw new Error('consumer broke');
        }),
      ).rejects.toThrow('consumer broke');
      await expect(s.dump(buildInetDiagReqV2({ family: AF_INET }), () => {})).resolves.toBeDefined();
    } finally {
      srv.close();
    }
  });

  it('closes cleanly while idle and refuses dumps afterwards', async () => {
    const s = open();
    s.close();
    s.close();
    await expect(s.dump(buildInetDiagReqV2({ family: AF_INET }), () => {})).rejects.toBeInstanceOf(NetlinkError);
  });

  it('does not keep the process alive when idle', async () => {
    // The child dumps and leaves its socket open; it must still exit by itself.
    const child = fileURLToPath(new URL('./live/dump-json.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [child], { timeout: 10_000 });
    expect(Array.isArray(JSON.parse(stdout))).toBe(true);
  });

  it('reads dumps in datagrams of up to 32 KiB, and sees what peeking at each datagram sees', async () => {
    // 150 loopback connections: 300 sockets and a listener, ~100 KB of replies.
    const { createServer, connect } = await import('node:net');
    const accepted: import('node:net').Socket[] = [];
    const srv = createServer((c) => accepted.push(c)).listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as import('node:net').AddressInfo).port;
    const clients = await Promise.all(
      Array.from({ length: 150 }, () => new Promise<import('node:net').Socket>((resolve, reject) => {
        const c = connect(port, '127.0.0.1', () => resolve(c)).once('error', reject);
      })),
    );
    try {
      const ours = (payload: Buffer) => payload.readUInt16BE(4) === port || payload.readUInt16BE(6) === port;
      const dump = async (s: InetDiagSocket) => {
        const cookies = new Set<string>();
        // The cache copies each datagram once, when its first message comes, and knows it by
        // identity (@tcpinfo/cache update): each datagram must be a new object, its payloads views of it.
        const datagrams = new Set<Buffer>();
        let firstMessages = 0;
        const r = await s.dump(buildInetDiagReqV2({ family: AF_INET }), (payload, datagram) => {
          if (ours(payload)) cookies.add(payload.subarray(44, 52).toString('hex'));
          datagrams.add(datagram!);
          expect(payload.buffer).toBe(datagram!.buffer);
          if (payload.byteOffset - datagram!.byteOffset === 16) firstMessages++; // right behind the datagram's first header
        });
        expect(datagrams.size).toBe(firstMessages);
        return { cookies, r, datagrams };
      };
      const big = await dump(open());
      const peeked = await dump(open({ datagramBufferSize: 0 }));
      expect(big.datagrams.size).toBeGreaterThan(1);
      expect(big.cookies.size).toBe(301);
      expect([...big.cookies].sort()).toEqual([...peeked.cookies].sort());
      // ~4 KiB datagrams hold at most 8 of these (~500 bytes each); 32 KiB ones dozens.
      expect(peeked.r.messages / peeked.r.datagrams).toBeLessThanOrEqual(8);
      expect(big.r.messages / big.r.datagrams).toBeGreaterThan(20);
      expect(DUMP_DATAGRAM_BYTES).toBe(32 * 1024);
    } finally {
      for (const c of [...clients, ...accepted]) c.destroy();
      srv.close();
    }
  });
});
