import type { Readable } from 'node:stream';
import type { Metadata } from '@tcpinfo/netlink';
import { readSnapshots, type Snapshot } from '@tcpinfo/parse';

/** One connection's snapshots as read from an input. */
export interface LoadedConnection {
  /** Where it came from: the path, or `<stdin>`. */
  readonly source: string;
  /** The header's metadata; absent for records without a header (grouped by socket cookie). */
  readonly metadata?: Metadata;
  /** The socket cookie (16 upper-case hex digits) of its first snapshot, when it had an inet_diag_msg. */
  readonly cookieHex?: string;
  readonly snapshots: Snapshot[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Options of {@link loadConnections}. */
export interface LoadOptions {
  /** Standard input, for `-` (default process.stdin). */
  readonly stdin?: Readable;
}

/**
 * Reads every input (paths; `-` or none: standard input; `.jsonl` or
 * `.jsonl.zst`, detected by content) into connections. A header record starts
 * a connection and every snapshot after it belongs to it (a connection file,
 * or several concatenated); snapshots before any header (the original's
 * header-less archives mix many sockets) are grouped by socket cookie.
 * Throws the parse library's TcpInfoReadError (`FILE:LINE: reason`) on bad input.
 */
export async function loadConnections(inputs: readonly string[], options: LoadOptions = {}): Promise<LoadedConnection[]> {
  const all: Mutable<LoadedConnection>[] = [];
  for (const path of inputs.length === 0 ? ['-'] : inputs) {
    const isStdin = path === '-';
    const source = isStdin ? '<stdin>' : path;
    let current: Mutable<LoadedConnection> | undefined;
    const byCookie = new Map<string, Mutable<LoadedConnection>>();
    for await (const { metadata, snapshot } of readSnapshots(isStdin ? (options.stdin ?? process.stdin) : path, { sourceName: source })) {
      if (metadata !== undefined) {
        current = { source, metadata, snapshots: [] };
        all.push(current);
        continue;
      }
      const cookieHex = snapshot.idm?.id.cookieHex;
      if (current === undefined) {
        const key = cookieHex ?? '';
        let group = byCookie.get(key);
        if (group === undefined) {
          group = { source, snapshots: [] };
          if (cookieHex !== undefined) group.cookieHex = cookieHex;
          byCookie.set(key, group);
          all.push(group);
        }
        group.snapshots.push(snapshot);
        continue;
      }
      current.cookieHex ??= cookieHex;
      current.snapshots.push(snapshot);
    }
  }
  return all;
}
