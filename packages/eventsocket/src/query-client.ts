import { request } from 'node:http';
import { EventSocketError } from './errors.js';

// The answers of tcp-info's query socket (`-tcpinfo.query-socket`), as the
// daemon's @tcpinfo/query server writes them. They live here, beside the event
// socket's client, so that a sidecar needs one dependency-free package for both.

/** One open connection as `GET /connections` lists it. */
export interface ConnectionListEntry {
  /** The connection's UUID, as in its file names and events. */
  readonly uuid: string;
  /** The socket cookie: `0x` and 16 lower-case hex digits. */
  readonly cookie: string;
  readonly family: 'ipv4' | 'ipv6';
  /** Local address and port, as written to the files (anonymized under -anonymize.ip=netblock): `192.0.2.1:80`, `[2001:db8::1]:80`. */
  readonly src: string;
  /** Remote address and port, as written to the files. */
  readonly dst: string;
  /** TCP state name of the latest snapshot (`ESTABLISHED`, …). */
  readonly state: string;
  /** tcpi_bytes_acked of the latest snapshot (null when its tcp_info is too short). */
  readonly bytesAcked: number | null;
  /** tcpi_bytes_received. */
  readonly bytesReceived: number | null;
  /** Smoothed RTT, tcpi_rtt (µs). */
  readonly rttUs: number | null;
  /** Congestion window, tcpi_snd_cwnd (segments). */
  readonly cwnd: number | null;
  /** tcpi_delivery_rate (bytes/s). */
  readonly deliveryRate: number | null;
}

/** Figures derived from the snapshots the daemon saw of one connection. */
export interface ConnectionFigures {
  /** From the first snapshot to the latest (s). */
  readonly durationSeconds: number;
  /** Snapshots seen (written to the files). */
  readonly snapshots: number;
  /**
   * Bytes acknowledged per second, in bits/s, over the window ending at the
   * latest snapshot (at least 1 s when the connection is that old; 0 when no
   * snapshot came for a second before the query, i.e. nothing was acknowledged).
   */
  readonly throughputBitsPerSecond: number;
  /** The window of `throughputBitsPerSecond` (s). */
  readonly throughputWindowSeconds: number;
  /** The kernel's minimum RTT, tcpi_min_rtt (µs); null before the first RTT sample. */
  readonly minRttUs: number | null;
  /** Smoothed RTT, tcpi_rtt (µs). */
  readonly smoothedRttUs: number | null;
  /** RTT variation (mean deviation), tcpi_rttvar (µs): the connection's jitter. */
  readonly rttVarUs: number | null;
  /** tcpi_total_retrans. */
  readonly retransmittedSegments: number | null;
  /** tcpi_segs_out (retransmissions included). */
  readonly sentSegments: number | null;
  /** retransmittedSegments / sentSegments (0 when nothing was sent). */
  readonly retransmitRatio: number | null;
  readonly bytesAcked: number | null;
  readonly bytesReceived: number | null;
}

/** A connection as `GET /connections/{uuid}` or `GET /connections?cookie=0x…` answers. */
export interface ConnectionAnswer extends Omit<ConnectionListEntry, 'bytesAcked' | 'bytesReceived' | 'rttUs' | 'cwnd' | 'deliveryRate'> {
  /** True once the connection closed; it is then answered for the daemon's -tcpinfo.query-retention. */
  readonly closed: boolean;
  /** When the close was noticed (RFC 3339, nanoseconds), closed connections only. */
  readonly closedAt?: string;
  /** The congestion control of the latest snapshot (`cubic`, `bbr`, …), when reported. */
  readonly congestion?: string;
  readonly figures: ConnectionFigures;
  /**
   * The latest snapshot (the final one once closed) as @tcpinfo/parse's
   * `snapshotToJson` writes it: `idm`, `tcpInfo`, `memInfo`, … (64-bit values as JSON numbers when exact, ≤ 2^53, else decimal strings).
   */
  readonly snapshot: Record<string, unknown>;
}

/** Options of the query functions. */
export interface QueryOptions {
  /** Give up after this long (default 5000 ms): {@link EventSocketError} `QUERY`. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 5000;
/** Any host name does: the socket path picks the server. */
const HOST = 'tcp-info';

/** GET `path` on the query socket: the status and the parsed JSON body. */
function get(socketPath: string, path: string, options: QueryOptions): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const fail = (message: string, cause?: NodeJS.ErrnoException) =>
      reject(new EventSocketError('QUERY', `query socket ${socketPath}: ${message}`, cause));
    const req = request(
      { socketPath, path, host: HOST, method: 'GET', timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(err.message, err));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
          } catch {
            fail(`${path}: the answer (status ${res.statusCode}) is not JSON`);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.message, err));
    req.end();
  });
}

function answerOrUndefined(socketPath: string, what: string, r: { status: number; body: unknown }): ConnectionAnswer | undefined {
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new EventSocketError('QUERY', `query socket ${socketPath}: ${what}: status ${r.status}: ${(r.body as { error?: string }).error ?? ''}`);
  return r.body as ConnectionAnswer;
}

/**
 * Asks the daemon's query socket about the connection `uuid` (e.g. from a close
 * event): its latest (or final) snapshot and derived figures, or undefined when
 * the daemon does not know it (never seen, excluded, or closed longer ago than
 * its retention). Throws {@link EventSocketError} `QUERY` when the daemon cannot be asked.
 */
export async function queryConnection(socketPath: string, uuid: string, options: QueryOptions = {}): Promise<ConnectionAnswer | undefined> {
  return answerOrUndefined(socketPath, uuid, await get(socketPath, `/connections/${encodeURIComponent(uuid)}`, options));
}

/** {@link queryConnection} by socket cookie (a bigint, or hex with `0x`). */
export async function queryConnectionByCookie(socketPath: string, cookie: bigint | string, options: QueryOptions = {}): Promise<ConnectionAnswer | undefined> {
  const hex = typeof cookie === 'bigint' ? `0x${cookie.toString(16)}` : cookie;
  return answerOrUndefined(socketPath, hex, await get(socketPath, `/connections?cookie=${encodeURIComponent(hex)}`, options));
}

/** Every open connection the daemon writes, with a few key figures. */
export async function listConnections(socketPath: string, options: QueryOptions = {}): Promise<ConnectionListEntry[]> {
  const r = await get(socketPath, '/connections', options);
  if (r.status !== 200 || !Array.isArray(r.body)) throw new EventSocketError('QUERY', `query socket ${socketPath}: /connections: status ${r.status}`);
  return r.body as ConnectionListEntry[];
}
