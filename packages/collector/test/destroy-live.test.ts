import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeInetDiagMsg } from '@tcpinfo/inetdiag';
import { decodeTcpInfo } from '@tcpinfo/tcp';
import { isRoot, warnIfNotRoot } from '@tcpinfo/testing';
import { files, lines, nextLine, records, startCollector, until, useNamespace } from './helpers/collector-process.js';

warnIfNotRoot('destroy notifications against real connections (collector destroy-live.test.ts)');

const SHORT = fileURLToPath(new URL('./live/short-connections.mjs', import.meta.url));
const LATE_CLOSE = fileURLToPath(new URL('./live/late-close.mjs', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../testing/src/conn-fixture.mjs', import.meta.url));

describe.skipIf(!isRoot)('destroy notifications (namespace)', () => {
  const { ns: namespace, tmp } = useNamespace('tcpinfo-destroy-');

  it('every socket of 1,000 short connections gets a file ending in its exact final byte counts', async () => {
    const out = tmp();
    const collector = await startCollector(namespace(), out);
    expect(collector.active).toBe(true);
    const { port, conns } = JSON.parse(namespace().exec(process.execPath, [SHORT, '1000'])) as { port: number; conns: { sport: number; bytes: number }[] };
    // The last notifications may still be on their way: wait for their files.
    await until('2000 files', () => files(out).length >= 2000, 60_000);
    const stats = await collector.stop();
    expect(stats.overruns).toBe(0);
    expect(stats.firstSeen).toBeGreaterThan(0);
    const byClientPort = new Map(conns.map((c) => [c.sport, c.bytes]));
    const all = files(out);
    expect(all).toHaveLength(2000);
    let client = 0;
    let server = 0;
    for (const f of all) {
      const recs = records(f);
      expect(recs[0]!.metadata).toBeDefined();
      const last = recs.at(-1)!;
      const idm = decodeInetDiagMsg(last.rawIdm!);
      const info = decodeTcpInfo(last.attribute(2)!);
      // Tell the sides apart by address, not port: a client's ephemeral port
      // (on 192.0.2.2) can equal the server's listening port (on 192.0.2.1).
      if (idm.id.src === '192.0.2.1') {
        expect(idm.id.sport).toBe(port);
        // The server side received exactly what the client sent, plus the FIN
        // (tcpi_bytes_received counts the FIN's sequence number too).
        expect(info.bytesReceived).toBe(BigInt(byClientPort.get(idm.id.dport)!) + 1n);
        server++;
      } else {
        // The client side sent exactly the payload and had all of it acknowledged;
        // tcpi_bytes_acked also counts the SYN's and the FIN's sequence numbers.
        expect(info.bytesSent).toBe(BigInt(byClientPort.get(idm.id.sport)!));
        expect(info.bytesAcked).toBe(BigInt(byClientPort.get(idm.id.sport)!) + 2n);
        client++;
      }
    }
    expect([client, server]).toEqual([1000, 1000]);
  }, 120_000);

  it("a long-lived connection's last record is its destroy snapshot, counters never smaller", async () => {
    const out = tmp();
    const collector = await startCollector(namespace(), out);
    const fixture = namespace().spawn(process.execPath, [FIXTURE, '--count', '1', '--family', '4', '--bytes', '5000']);
    await nextLine(lines(fixture));
    // Polling records the open connection before the close: two whole cycles after
    // the fixture is connected (a count of cycles, not a time, so load does not matter).
    const connectedAt = (await collector.stats()).cycles;
    await until('two cycles', async () => (await collector.stats()).cycles >= connectedAt + 2);
    fixture.stdin!.end('close\n');
    await new Promise((r) => fixture.once('exit', r));
    await collector.stop();
    const all = files(out);
    expect(all).toHaveLength(2);
    for (const f of all) {
      const recs = records(f).slice(1);
      expect(recs.length).toBeGreaterThanOrEqual(2);
      const last = decodeTcpInfo(recs.at(-1)!.attribute(2)!);
      expect(decodeInetDiagMsg(recs.at(-1)!.rawIdm!).state).not.toBe(1); // not ESTABLISHED: the socket's end
      for (const r of recs.slice(0, -1)) {
        const earlier = decodeTcpInfo(r.attribute(2)!);
        expect(last.bytesAcked! >= earlier.bytesAcked!).toBe(true);
        expect(last.bytesReceived! >= earlier.bytesReceived!).toBe(true);
      }
    }
  });

  it('a notification long after polling closed the connection is counted, and its file is not started again', async () => {
    const out = tmp();
    const collector = await startCollector(namespace(), out);
    const server = namespace().spawn(process.execPath, [LATE_CLOSE, 'server']);
    const serverOut = lines(server);
    const port = await nextLine(serverOut);
    const client = namespace().spawn(process.execPath, [LATE_CLOSE, 'client', port]);
    expect(await nextLine(serverOut)).toBe('ready');
    await until('both files', () => files(out).length === 2);
    // A stopped process cannot close its socket: after the client's reset the
    // server's socket sits in CLOSE, unseen by dumps, and polling closes its file
    // once the grace for a notification is over.
    process.kill(server.pid!, 'SIGSTOP');
    client.stdin!.write('reset\n');
    expect(await nextLine(lines(client))).toBe('reset');
    // The client's socket closes by its notification, the server's by polling once its grace is over.
    await until('both files closed', async () => (await collector.stats()).closes >= 2);
    const before = (await collector.stats()).destroyMessages;
    process.kill(server.pid!, 'SIGCONT');
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
    // The server's exit destroys its connection and its listener.
    await until('two more notifications', async () => (await collector.stats()).destroyMessages >= before + 2);
    const stats = await collector.stop();
    expect(stats.exitCode).toBe(0);
    expect(stats.late).toBe(1);
    const all = files(out);
    expect(all).toHaveLength(2);
    for (const f of all) expect(records(f).filter((r) => r.metadata !== undefined)).toHaveLength(1);
  });

  it('a process without CAP_NET_ADMIN still receives them on this kernel; destroy events off means polling only, silently', async () => {
    // Linux 6.18 lets any process join the destroy groups (checked here, not assumed).
    const noCap = await startCollector(namespace(), tmp(), [], ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-all']);
    expect(noCap.active).toBe(true);
    await noCap.stop();
    const off = await startCollector(namespace(), tmp(), ['--no-destroy-events']);
    expect(off.active).toBe(false);
    await off.stop();
    expect(off.stderr()).toBe('');
  });
});
