import { createRequire } from 'node:module';
import type { RawNetlinkSocket as RawNetlinkSocketClass } from 'netlink';

/**
 * The `netlink` package, loaded on first use rather than on import: most users
 * of this package only read and write records (tcpinfo-csv, @tcpinfo/parse) and
 * need not pay for loading a native binding (~75 ms of CPU at start-up).
 */
export type NetlinkBinding = typeof import('netlink');

let binding: NetlinkBinding | undefined;
let bindingPath: string | undefined;
const requireHere = createRequire(import.meta.url);

/** The `netlink` package's exports (loads its native binding the first time). */
export function netlinkBinding(): NetlinkBinding {
  binding ??= requireHere('netlink') as NetlinkBinding;
  return binding;
}

/** The `netlink` package's entry point as this module resolves it (the destroy relay loads the same copy). */
export function netlinkBindingPath(): string {
  bindingPath ??= requireHere.resolve('netlink');
  return bindingPath;
}

/** Creates a `RawNetlinkSocket` of the given netlink protocol. */
export function openRawNetlinkSocket(protocol: number, options: { recvBufferSize: number; sendBufferSize: number }): RawNetlinkSocketClass {
  return new (netlinkBinding().RawNetlinkSocket)(protocol, options);
}
