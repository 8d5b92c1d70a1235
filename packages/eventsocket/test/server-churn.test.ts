import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseFlowEventLine } from '../src/index.js';
import { openDescriptors, openEvent, rawClient, socketPath, startServer } from './helpers.js';

describe('EventSocketServer: clients coming and going', () => {
  it('100 clients connect and disconnect while events flow: no crash, no leaked descriptor, nothing lost for those that stay', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path);
    const stayers = [rawClient(path), rawClient(path)];
    await untilClients(2);
    const before = openDescriptors();
    let emitted = 0;
    for (let round = 0; round < 10; round++) {
      const batch: Socket[] = [];
      for (let i = 0; i < 10; i++) {
        const c = connect(path);
        c.on('error', () => {});
        c.resume();
        batch.push(c);
      }
      await Promise.all(batch.map((c) => once(c, 'connect')));
      for (let i = 0; i < 50; i++) server.emit(openEvent(emitted++));
      // Half leave abruptly (RST-like destroy), half politely (end), mid-stream.
      batch.forEach((c, i) => (i % 2 === 0 ? c.destroy() : c.end()));
      for (let i = 0; i < 50; i++) server.emit(openEvent(emitted++));
      await Promise.all(batch.map((c) => (c.closed ? undefined : once(c, 'close'))));
      await untilClients(2);
    }
    await Promise.all(stayers.map((s) => s.untilLines(emitted)));
    for (const s of stayers) expect(s.lines.map((l) => parseFlowEventLine(l).uuid)).toEqual(Array.from({ length: emitted }, (_, i) => `u${i}`));
    expect(server.stats).toMatchObject({ clients: 2, acceptedClients: 102, droppedSlowClients: 0 });
    // None leaked: never more than before (the process may close one of its own meanwhile, as
    // a fresh-clone CI run on Node 24 saw: 29 against 30).
    expect(openDescriptors()).toBeLessThanOrEqual(before);
    for (const s of stayers) s.sock.destroy();
    await server.close();
  });
});
