import { describe, expect, it } from 'vitest';
import { cookieOf } from '@tcpinfo/cache';
import { ExclusionRules, NetlinkError } from '@tcpinfo/netlink';
import { recordedSockets, replayCollector, withCookie, withState } from './helpers/replay.js';

// The Collector without root: recorded kernel messages replayed by a fake dump
// socket, destroy notifications sent by the test, cycles run one by one. Each
// close path of close-reconciler.ts, as the collector wires it to the saver.

const TCP_CLOSE = 7;

describe('Collector over replayed kernel messages', () => {
  it('writes every socket of the first cycle once, and nothing more while nothing changes', async () => {
    const sockets = recordedSockets();
    const r = replayCollector(sockets, { destroyEvents: false });
    await r.cycles(3);
    expect(r.calls).toHaveLength(14);
    expect(new Set(r.calls.map((c) => c.cookie))).toEqual(new Set(sockets.map(cookieOf)));
    expect(r.calls.every((c) => c.call === 'write')).toBe(true);
    expect(r.socket.dumps).toBe(6); // IPv6 then IPv4, each cycle
  });

  it('without destroy notifications, a socket missing from a complete cycle is closed in that cycle', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: false });
    await r.cycles(1);
    const gone = sockets[3]!;
    r.socket.scene = sockets.filter((s) => s !== gone);
    await r.cycles(1);
    expect(r.callsOf(gone)).toEqual([
      { call: 'write', cookie: cookieOf(gone), state: 1 },
      { call: 'close', cookie: cookieOf(gone) },
    ]);
    expect(r.collector.cache.size).toBe(13);
  });

  it('an interrupted or failed dump closes nothing on its evidence', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: false });
    await r.cycles(1);
    r.socket.scene = [];
    r.socket.next.push('interrupted');
    await r.cycles(1);
    r.socket.next.push('interrupted', new NetlinkError('dump failed: ENOBUFS', 105, 'ENOBUFS'));
    await r.cycles(1);
    expect(r.calls.filter((c) => c.call === 'close')).toEqual([]);
    await r.cycles(1); // complete and empty: everything closed
    expect(r.calls.filter((c) => c.call === 'close')).toHaveLength(14);
    expect(r.logs.some((l) => /ipv4 dump failed: dump failed: ENOBUFS/.test(l))).toBe(true);
  });

  it('polling gone, no notification: closed once the grace of 10 cycles ran out, without a final snapshot', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: true });
    await r.cycles(1);
    const gone = sockets[8]!;
    r.socket.scene = sockets.filter((s) => s !== gone);
    await r.cycles(10);
    expect(r.callsOf(gone).map((c) => c.call)).toEqual(['write']);
    await r.cycles(1);
    expect(r.callsOf(gone).map((c) => c.call)).toEqual(['write', 'close']);
    await r.cycles(5);
    expect(r.callsOf(gone)).toHaveLength(2);
  });

  it('polling gone, then the notification: its final snapshot is written, then the file closed; the grace brings nothing more', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: true });
    await r.cycles(1);
    const gone = sockets[8]!;
    r.socket.scene = sockets.filter((s) => s !== gone);
    await r.cycles(3);
    r.destroy(withState(gone, TCP_CLOSE));
    await r.cycles(20);
    expect(r.callsOf(gone)).toEqual([
      { call: 'write', cookie: cookieOf(gone), state: 1 },
      { call: 'write', cookie: cookieOf(gone), state: TCP_CLOSE },
      { call: 'close', cookie: cookieOf(gone) },
    ]);
    expect(r.events.filter((e) => e.kind === 'close')).toHaveLength(1);
  });

  it('notification first, while a dump still lists the socket: no write after the close, no second file', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: true });
    await r.cycles(1);
    const victim = sockets.find((s) => s[0] === 2 && s[1] === 1)!; // an IPv4 connection
    // Its dump snapshot changes, and the notification arrives in the middle of the
    // very dump that lists it; the next two dumps still list it (the kernel's view lags).
    const changed = Buffer.from(victim);
    changed[changed.length - 1]! ^= 0xff;
    r.socket.scene = sockets.map((s) => (s === victim ? changed : s));
    r.socket.midDump = () => {
      r.socket.midDump = undefined;
      r.destroy(withState(victim, TCP_CLOSE));
    };
    await r.cycles(3);
    r.socket.scene = sockets.filter((s) => s !== victim);
    await r.cycles(15);
    expect(r.callsOf(victim)).toEqual([
      { call: 'write', cookie: cookieOf(victim), state: 1 },
      { call: 'write', cookie: cookieOf(victim), state: TCP_CLOSE },
      { call: 'close', cookie: cookieOf(victim) },
    ]);
    expect(r.events.filter((e) => e.kind === 'open')).toHaveLength(14);
    expect(r.events.filter((e) => e.kind === 'close')).toHaveLength(1);
  });

  it('a late notification after polling closed the file is counted and starts nothing', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: true });
    await r.cycles(1);
    const gone = sockets[2]!;
    r.socket.scene = sockets.filter((s) => s !== gone);
    await r.cycles(11);
    expect(r.callsOf(gone).map((c) => c.call)).toEqual(['write', 'close']);
    r.destroy(withState(gone, TCP_CLOSE));
    await r.cycles(2);
    expect(r.callsOf(gone).map((c) => c.call)).toEqual(['write', 'close']);
    expect(await r.counter('tcpinfo_destroy_late_total')).toBe(1);
    expect(r.events.filter((e) => e.kind === 'open')).toHaveLength(14);
  });

  it('a notification for a socket polling never saw: its file is started with that snapshot and closed', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: true });
    await r.cycles(1);
    const stranger = withCookie(withState(sockets[1]!, TCP_CLOSE), 0x1234_5678_9abc_def0n);
    r.destroy(stranger);
    r.destroy(stranger); // a duplicate changes nothing
    await r.cycles(3);
    expect(r.callsOf(stranger)).toEqual([
      { call: 'write', cookie: 0x1234_5678_9abc_def0n, state: TCP_CLOSE },
      { call: 'close', cookie: 0x1234_5678_9abc_def0n },
    ]);
    expect(await r.counter('tcpinfo_destroy_first_seen_total')).toBe(1);
    expect(r.events.map((e) => e.kind)).toEqual([...Array(14).fill('open'), 'open', 'close']);
  });

  it('excluded sockets get no file, whether polling or a notification finds them', async () => {
    const sockets = recordedSockets();
    // 38925: the IPv4 listener's port (the listener and the 3 server ends); the IPv6
    // listener goes too (its unspecified destination is a local address).
    const r = replayCollector([...sockets], { destroyEvents: true, exclude: new ExclusionRules({ srcPorts: [38925] }) });
    await r.cycles(1);
    const excluded = sockets.filter((s) => s[0] === 2 && s.readUInt16BE(4) === 38925);
    expect(excluded).toHaveLength(4);
    expect(r.calls).toHaveLength(9);
    r.destroy(withState(excluded[1]!, TCP_CLOSE)); // known and excluded
    r.destroy(withCookie(withState(excluded[2]!, TCP_CLOSE), 777n)); // never seen, excluded by the rules
    await r.cycles(2);
    expect(r.calls).toHaveLength(9);
    expect(await r.counter('tcpinfo_destroy_first_seen_total')).toBe(0);
  });

  it('a malformed notification of a known connection closes its file without a final snapshot, and is counted', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: true });
    await r.cycles(1);
    const victim = sockets[5]!;
    // An attribute whose length runs past the end of the message.
    const broken = Buffer.from(victim);
    broken.writeUInt16LE(0xfff0, 72);
    r.destroy(broken);
    await r.cycles(1);
    expect(r.callsOf(victim).map((c) => c.call)).toEqual(['write', 'close']);
    expect(r.logs.some((l) => /malformed destroy notification/.test(l))).toBe(true);
  });

  it('stops: the file of every connection still known is closed, the socket it made not its to close', async () => {
    const sockets = recordedSockets();
    const r = replayCollector([...sockets], { destroyEvents: true });
    await r.cycles(1);
    r.socket.scene = sockets.slice(0, 10); // 4 wait for their notification
    await r.cycles(1);
    const stop = new AbortController();
    stop.abort();
    await r.collector.run(stop.signal);
    expect(r.events.filter((e) => e.kind === 'close')).toHaveLength(14);
    expect(r.saver.openConnections).toBe(0);
    expect(r.socket.closed).toBe(false); // given by the caller
  });
});
