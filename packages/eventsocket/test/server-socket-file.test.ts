import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventSocketServer } from '../src/index.js';
import { rawClient, socketPath, startServer } from './helpers.js';

/** Leaves a socket file at `path` that nobody listens on, as a crashed daemon does. */
async function makeStaleSocket(path: string): Promise<void> {
  const other = `${path}.tmp`;
  const s = createServer().listen(other);
  await once(s, 'listening');
  renameSync(other, path); // libuv unlinks only the name it bound, so `path` survives the close
  await new Promise((r) => s.close(r));
  expect(statSync(path).isSocket()).toBe(true);
}

describe('EventSocketServer: the socket file', () => {
  it('replaces a stale socket file, serves on it, and removes it on close', async () => {
    const path = socketPath();
    await makeStaleSocket(path);
    const { server, untilClients } = await startServer(path);
    const client = rawClient(path);
    await untilClients(1);
    await server.close();
    await client.untilLines(Infinity); // resolves once the client is closed
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a path that exists and is not a socket, deleting nothing', async () => {
    const path = socketPath('precious.txt');
    writeFileSync(path, 'keep me');
    await expect(new EventSocketServer().listen(path)).rejects.toMatchObject({ name: 'EventSocketError', code: 'NOT_A_SOCKET' });
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    const dir = socketPath('a-directory');
    mkdirSync(dir);
    await expect(new EventSocketServer().listen(dir)).rejects.toMatchObject({ code: 'NOT_A_SOCKET' });
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('refuses a socket another server is listening on (IN_USE), which keeps working', async () => {
    const path = socketPath();
    const { server: first, untilClients } = await startServer(path);
    await expect(new EventSocketServer().listen(path)).rejects.toMatchObject({ code: 'IN_USE' });
    const client = rawClient(path);
    await untilClients(1);
    expect(first.clients).toBe(1);
    client.sock.destroy();
    await first.close();
  });

  it('reports a path in a missing directory as LISTEN with the real reason, ENOENT (libuv says EACCES)', async () => {
    const err = await new EventSocketServer().listen(join(socketPath('missing-dir'), 'ev.sock')).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'EventSocketError', code: 'LISTEN', cause: { code: 'ENOENT' } });
    expect((err as Error).message).toMatch(/missing-dir does not exist \(ENOENT\)/);
    expect((err as Error).message).not.toMatch(/EACCES/);
  });

  it.each([0o600, 0o660, 0o666])('creates the socket with mode %o and restores the umask', async (mode) => {
    const path = socketPath();
    const umask = process.umask(0o022);
    try {
      const { server } = await startServer(path, { mode });
      expect(statSync(path).mode & 0o777).toBe(mode);
      expect(process.umask()).toBe(0o022);
      await server.close();
    } finally {
      process.umask(umask);
    }
  });

  it('defaults to mode 0660', async () => {
    const path = socketPath();
    const { server } = await startServer(path);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    await server.close();
  });
});
