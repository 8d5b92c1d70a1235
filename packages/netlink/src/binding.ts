import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NetlinkError } from './errors.js';

/**
 * The `netlink` package (a native binding: Linux prebuilds, built from Linux
 * headers elsewhere) is an optional peer dependency: only sockets need it, so
 * the daemon packages depend on it and readers of records (@tcpinfo/parse,
 * tcpinfo-csv) install without it. It is loaded on the first socket, never on
 * import; where it is not installed, opening a socket throws NO_BINDING.
 */

/** Where a raw socket's message came from (the `netlink` package's MessageInfo). */
export interface RawMessageInfo {
  readonly port: number;
  readonly groups: number;
  readonly truncated?: number;
}

/** A socket error of the binding (errno and its name). */
export interface RawSocketError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
}

/**
 * What this package uses of the `netlink` package's `RawNetlinkSocket`, as our
 * own type: its typings (and their `@types/node@12`) stay out of this package's
 * declarations, so consumers without the optional binding type-check. binding.ts
 * checks that the real class satisfies it.
 */
export interface RawNetlinkSocket {
  on(event: 'message' | 'truncatedMessage', listener: (msg: Buffer, rinfo: RawMessageInfo) => void): this;
  on(event: 'error', listener: (err: RawSocketError) => void): this;
  on(event: 'close', listener: () => void): this;
  send(msg: Uint8Array | Uint8Array[], options?: { port?: number; groups?: number }, callback?: (error?: RawSocketError) => void): void;
  close(): void;
  address(): { port: number; groups: number };
  ref(): void;
  unref(): void;
  addMembership(group: number): void;
  dropMembership(group: number): void;
  getRecvBufferSize(): number;
  getSendBufferSize(): number;
}

/** The `netlink` package's exports that we use. */
interface NetlinkBinding {
  readonly RawNetlinkSocket: new (protocol: number, options: RawSocketOptions) => RawNetlinkSocket;
}

/** Options of a raw socket (the `netlink` package's RawNetlinkSocketOptions that we use). */
export interface RawSocketOptions {
  readonly recvBufferSize: number;
  readonly sendBufferSize: number;
  /** Peek at each datagram's size before reading it (the binding's default); off, datagrams longer than msgBufferSize are truncated. */
  readonly messagePeeking?: boolean;
  readonly msgBufferSize?: number;
}
// The real package must satisfy our view of it (checked at build time, erased from the output).
type Satisfies<T extends NetlinkBinding> = T;
type CheckedNetlinkBinding = Satisfies<typeof import('netlink')>;

let binding: NetlinkBinding | undefined;
const requireHere = createRequire(import.meta.url);

/**
 * Node 20's `fs.realpathSync` (which `require` uses to follow pnpm's symlinks)
 * reads the type of the last path it stat'ed from a buffer shared by every
 * numeric `fs.stat*`/`lstat*` call, and stops resolving at the first cached
 * directory when that type is a socket or a FIFO (nodejs/node#51142; fixed in
 * Node 24). After any code in the process stat'ed a socket (a daemon checking a
 * stale event socket), `require('netlink')` then loads the package from its
 * symlinked path, where its own dependency `node-gyp-build` is not found. A
 * numeric stat of a directory just before loading resets that buffer, whatever
 * ran before; the test `binding-after-socket-stat` does the stat for real.
 */
function requireNetlink(): NetlinkBinding {
  statSync(fileURLToPath(new URL('.', import.meta.url)));
  try {
    return requireHere('netlink') as NetlinkBinding;
  } catch (err) {
    throw notInstalled(err);
  }
}

function notInstalled(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e?.code !== 'MODULE_NOT_FOUND' || !/'netlink'/.test(e.message)) return err;
  return new NetlinkError(
    "netlink sockets need the native 'netlink' package, an optional peer dependency of @tcpinfo/netlink (the tcp-info daemon installs it): npm install netlink",
    0,
    'NO_BINDING',
  );
}

/** The `netlink` package's exports (loads its native binding the first time). */
export function netlinkBinding(): NetlinkBinding {
  binding ??= requireNetlink();
  return binding;
}

/** Creates a `RawNetlinkSocket` of the given netlink protocol (NO_BINDING where the `netlink` package is not installed). */
export function openRawNetlinkSocket(protocol: number, options: RawSocketOptions): RawNetlinkSocket {
  return new (netlinkBinding().RawNetlinkSocket)(protocol, options);
}
