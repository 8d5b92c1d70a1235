import { chmodSync, lstatSync, unlinkSync, type BigIntStats } from 'node:fs';
import { connect, type Server } from 'node:net';
import { dirname } from 'node:path';
import { EventSocketError } from './errors.js';

/**
 * lstat with `bigint: true` on purpose. A numeric stat of a socket leaves its
 * type in a buffer that Node 20's `realpathSync` reads, and the next `require`
 * of a package behind a symlink (pnpm) then fails (nodejs/node#51142): the
 * daemon could not load its netlink binding after finding a stale event socket.
 * Bigint stats fill a separate buffer.
 */
function lstatOrUndefined(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EventSocketError('LISTEN', `cannot inspect ${path}: ${(err as Error).message}`, err as NodeJS.ErrnoException);
  }
}

/**
 * Checks, without changing anything, that a socket can be made at `path`: its
 * directory exists (libuv reports a missing one as EACCES, so it is looked at
 * first and reported as ENOENT), and `path` is absent or a socket. Throws
 * {@link EventSocketError} `LISTEN` (cause ENOENT) or `NOT_A_SOCKET`; returns
 * whether a socket file is there now.
 */
export function checkSocketPath(path: string): boolean {
  const dir = dirname(path);
  const dirStat = lstatOrUndefined(dir);
  if (dirStat === undefined) {
    const cause = Object.assign(new Error(`ENOENT: no such directory, ${dir}`), { code: 'ENOENT', errno: -2 });
    throw new EventSocketError('LISTEN', `cannot listen on ${path}: directory ${dir} does not exist (ENOENT)`, cause);
  }
  const stat = lstatOrUndefined(path);
  if (stat === undefined) return false;
  if (!stat.isSocket()) throw new EventSocketError('NOT_A_SOCKET', `${path} exists and is not a socket; refusing to replace it`);
  return true;
}

/**
 * Whether a server answers on the socket file at `path`. Only ECONNREFUSED (or
 * the file vanishing) proves the file stale; anything else, EAGAIN from a full
 * backlog included, means someone may be using it.
 */
function isAnswering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'));
  });
}

/**
 * Makes `path` free for a new socket: absent is fine; a stale socket file (no
 * server answers) is removed; a live socket ({@link EventSocketError} `IN_USE`)
 * or anything that is not a socket (`NOT_A_SOCKET`) is refused and left alone.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  if (!checkSocketPath(path)) return;
  if (await isAnswering(path)) throw new EventSocketError('IN_USE', `${path} is in use by a running server; refusing to replace it`);
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new EventSocketError('LISTEN', `cannot remove stale socket ${path}: ${(err as Error).message}`, err as NodeJS.ErrnoException);
    }
  }
}

/**
 * Sets the process umask around `fn`, so that a file created by `fn` has `mode`
 * from its first instant (a chmod afterwards leaves a window in which any local
 * user could connect). Worker threads cannot change the umask: there, `fn` runs
 * as is and only the chmod that follows protects the file.
 */
function withUmaskFor<T>(mode: number, fn: () => T): T {
  let previous: number | undefined;
  try {
    previous = process.umask(0o777 & ~mode);
  } catch {
    previous = undefined;
  }
  try {
    return fn();
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/**
 * Listens on the Unix socket `path`, whose file gets `mode` (the bind runs
 * synchronously inside `server.listen`, so the umask is restored before any
 * other code runs). Throws {@link EventSocketError} `LISTEN`.
 */
export async function listenWithMode(server: Server, path: string, mode: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new EventSocketError('LISTEN', `cannot listen on ${path}: ${err.message}`, err));
    server.once('error', onError);
    withUmaskFor(mode, () =>
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      }),
    );
  });
  try {
    chmodSync(path, mode);
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new EventSocketError('LISTEN', `cannot set mode of ${path}: ${(err as Error).message}`, err as NodeJS.ErrnoException);
  }
}

/** Removes the socket file at `path` if it is still a socket; other files are never touched. */
export function removeSocketFile(path: string): void {
  try {
    if (lstatOrUndefined(path)?.isSocket() === true) unlinkSync(path);
  } catch {
    // Already gone: libuv unlinks a listening pipe's file when it closes it.
  }
}
