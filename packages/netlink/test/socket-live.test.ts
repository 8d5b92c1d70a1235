import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';

warnIfNotRoot('netlink socket against real connections, compared with ss');

const fixture = fileURLToPath(new URL('../../testing/src/conn-fixture.mjs', import.meta.url));
const dumper = fileURLToPath(new URL('./live/dump-json.mjs', import.meta.url));

interface Dumped {
  family: number;
  state: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  cookie: string;
  attrs: number[];
  infoLength?: number;
  cwnd?: number;
  mss?: number;
  bytesAcked?: string;
  bytesReceived?: string;
  cong?: string;
}

/** The fields we compare, from one line of `ss -tinmeOH state established` (no State column). */
function parseSs(line: string) {
  const cols = line.trim().split(/\s+/);
  const endpoint = (s: string) => {
    const i = s.lastIndexOf(':');
    return { addr: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
  };
  const num = (key: string) => {
    const m = new RegExp(`(?:^|\\s)${key}:(\\d+)`).exec(line);
    return m ? m[1] : undefined;
  };
  return {
    local: endpoint(cols[2]!),
    peer: endpoint(cols[3]!),
    cookie: /\bsk:([0-9a-f]+)/.exec(line)?.[1],
    cwnd: num('cwnd'),
    mss: num('mss'),
    bytesAcked: num('bytes_acked') ?? '0',
    bytesReceived: num('bytes_received') ?? '0',
    line,
  };
}

describe.skipIf(!isRoot)('InetDiagSocket against the kernel (namespace)', () => {
  let ns: Netns;
  let conns: ReturnType<Netns['spawn']>;
  beforeAll(async () => {
    ns = Netns.create();
    conns = ns.spawn(process.execPath, [fixture, '--count', '3', '--bytes', '7000']);
    await new Promise<void>((resolve, reject) => {
      conns.stdout!.once('data', () => resolve());
      conns.once('exit', (code) => reject(new Error(`connection fixture exited with ${code}`)));
    });
  });
  afterAll(() => {
    conns?.stdin?.end();
    ns?.destroy();
  });

  it('sees the same sockets as ss -tinmeO, with agreeing values, and exits when idle', () => {
    // ns.exec waits for the process: it must exit by itself with the socket open but idle.
    const dumped = JSON.parse(ns.exec(process.execPath, [dumper])) as Dumped[];
    const ss = ns
      .exec('ss', ['-tinmeOH', 'state', 'established'])
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(parseSs);
    const established = dumped.filter((d) => d.state === 1);
    expect(established).toHaveLength(12); // 3 connections × 2 ends × 2 families
    expect(ss).toHaveLength(12);
    expect(new Set(established.map((d) => d.cookie))).toEqual(new Set(ss.map((s) => s.cookie)));
    expect(dumped.filter((d) => d.state === 10)).toHaveLength(2); // the two listeners
    for (const s of ss) {
      const d = established.find((x) => x.cookie === s.cookie)!;
      expect([d.src, d.sport, d.dst, d.dport]).toEqual([s.local.addr, s.local.port, s.peer.addr, s.peer.port]);
      expect(String(d.cwnd)).toBe(s.cwnd);
      expect(String(d.mss)).toBe(s.mss);
      expect(d.bytesAcked).toBe(s.bytesAcked);
      expect(d.bytesReceived).toBe(s.bytesReceived);
      expect(s.line).toContain(` ${d.cong} `);
      expect(d.infoLength).toBe(280); // this kernel's struct tcp_info
      expect(d.attrs).toEqual(expect.arrayContaining([1, 2, 4, 5, 7, 8]));
    }
    // Both ends of every connection, each side sent 7000 bytes.
    expect(established.every((d) => d.bytesReceived === '7000')).toBe(true);
  });
});
