import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { RawNetlinkSocket as RawNetlinkSocketClass } from 'netlink';

/**
 * The `netlink` package, loaded on first use rather than on import: most users
 * of this package only read and write records (tcpinfo-csv, @tcpinfo/parse) and
 * need not pay for loading a native binding (~75 ms of CPU at start-up).
 */
export type NetlinkBinding = typeof import('netlink');

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
  return requireHere('netlink') as NetlinkBinding;
}

/** The `netlink` package's exports (loads its native binding the first time). */
export function netlinkBinding(): NetlinkBinding {
  binding ??= requireNetlink();
  return binding;
}

/** Creates a `RawNetlinkSocket` of the given netlink protocol. */
export function openRawNetlinkSocket(
  protocol: number,
  options: { recvBufferSize: number; sendBufferSize: number; messagePeeking?: boolean; msgBufferSize?: number },
): RawNetlinkSocketClass {
  return new (netlinkBinding().RawNetlinkSocket)(protocol, options);
}
