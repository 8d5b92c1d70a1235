import type { Readable } from 'node:stream';
import type { Metadata } from '@tcpinfo/netlink';
import { readSnapshots, TcpInfoReadError, type Snapshot } from '@tcpinfo/parse';
import { HeaderBuilder, type ConnectionIdentity } from './header.js';
import { SeriesBuilder } from './series.js';

/**
 * One connection as read from an input: who it is, and its snapshots folded
 * into what its header and charts need. The snapshots themselves are not
 * kept, so memory grows by a few numbers per snapshot (see the README's figures).
 */
export class LoadedConnection implements ConnectionIdentity {
  /** The socket cookie (16 upper-case hex digits) of its first snapshot with an inet_diag_msg. */
  cookieHex?: string;
  readonly header = new HeaderBuilder();
  readonly series = new SeriesBuilder();

  /**
   * @param source where it came from: the path, or `<stdin>`
   * @param metadata the header's metadata; absent for records without a header (grouped by socket cookie)
   */
  constructor(
    readonly source: string,
    readonly metadata?: Metadata,
  ) {}

  /** Folds the connection's next snapshot. */
  add(snapshot: Snapshot): void {
    this.cookieHex ??= snapshot.idm?.id.cookieHex;
    this.header.add(snapshot);
    this.series.add(snapshot);
  }

  /** Snapshots added. */
  get snapshots(): number {
    return this.series.length;
  }
}

/** Options of {@link loadConnections}. */
export interface LoadOptions {
  /** Standard input, for `-` (default process.stdin). */
  readonly stdin?: Readable;
  /**
   * Corrupt or cut-off zstd data (BAD_ZSTD, TRUNCATED_ZSTD): called with the
   * error, and reading stops there, keeping what was read before it (the
   * earlier inputs, and this one's records before the damage). Without it,
   * the error is thrown.
   */
  readonly onDamagedInput?: (error: TcpInfoReadError) => void;
}

const isDamage = (err: unknown): err is TcpInfoReadError =>
  err instanceof TcpInfoReadError && (err.code === 'BAD_ZSTD' || err.code === 'TRUNCATED_ZSTD');

/**
 * Reads every input (paths; `-` or none: standard input; `.jsonl` or
 * `.jsonl.zst`, detected by content) into connections. A header record starts
 * a connection and every snapshot after it belongs to it (a connection file,
 * or several concatenated); snapshots before any header (the original's
 * header-less archives mix many sockets) are grouped by socket cookie. Each
 * snapshot is folded into its connection as it is read, then dropped.
 * Throws the parse library's TcpInfoReadError (`FILE:LINE: reason`) on bad input.
 */
export async function loadConnections(inputs: readonly string[], options: LoadOptions = {}): Promise<LoadedConnection[]> {
  const all: LoadedConnection[] = [];
  for (const path of inputs.length === 0 ? ['-'] : inputs) {
    const isStdin = path === '-';
    const source = isStdin ? '<stdin>' : path;
    let current: LoadedConnection | undefined;
    const byCookie = new Map<string, LoadedConnection>();
    let damaged = false;
    try {
      for await (const { metadata, snapshot } of readSnapshots(isStdin ? (options.stdin ?? process.stdin) : path, { sourceName: source })) {
        if (metadata !== undefined) {
          current?.series.trim();
          current = new LoadedConnection(source, metadata);
          all.push(current);
          continue;
        }
        let conn = current;
        if (conn === undefined) {
          const key = snapshot.idm?.id.cookieHex ?? '';
          conn = byCookie.get(key);
          if (conn === undefined) {
            conn = new LoadedConnection(source);
            byCookie.set(key, conn);
            all.push(conn);
          }
        }
        conn.add(snapshot);
      }
    } catch (err) {
      if (!isDamage(err) || options.onDamagedInput === undefined) throw err;
      options.onDamagedInput(err);
      damaged = true;
    }
    // Complete: what they hold shrinks to what the page will show.
    current?.series.trim();
    for (const conn of byCookie.values()) conn.series.trim();
    if (damaged) break;
  }
  return all;
}
