import { constants as osConstants } from 'node:os';
import { NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY } from '@tcpinfo/inetdiag';
import { openRawNetlinkSocket, type RawNetlinkSocket } from './binding.js';
import { NetlinkError, NetlinkParseError } from './errors.js';
import {
  encodeMessage,
  forEachMessage,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  payloadErrno,
} from './framing.js';

/** Options of {@link InetDiagSocket.open}. */
export interface InetDiagSocketOptions {
  /** SO_RCVBUF in bytes (default 4 MiB): a dump of 10,000 sockets is about 5 MB in ~150 datagrams. */
  readonly recvBufferSize?: number;
  /** SO_SNDBUF in bytes (default 64 KiB). */
  readonly sendBufferSize?: number;
  /** A dump not finished after this many milliseconds fails with code 'TIMEOUT' (default 10 s). */
  readonly dumpTimeoutMs?: number;
  /**
   * Bytes each datagram is read into (default {@link DUMP_DATAGRAM_BYTES}); 0 peeks at
   * each datagram for its size first (the binding's default: two system calls per datagram).
   */
  readonly datagramBufferSize?: number;
}

/**
 * The read buffer of a dump, which also sizes the kernel's datagrams: netlink
 * fills each dump datagram up to the largest buffer the reader has offered,
 * capped at 32 KiB (`max_recvmsg_len` in net/netlink/af_netlink.c), and to about
 * 4 KiB (NLMSG_GOODSIZE) before that. Peeking, as the binding does by default,
 * offers exactly the last datagram's size, so dumps stay at ~7 sockets per
 * datagram; a 32 KiB buffer gets ~60, and one system call instead of two each:
 * for 10,000 sockets, ~170 datagrams instead of ~1,430, so as many fewer
 * callbacks from the binding and resumptions of the dump in the kernel.
 */
export const DUMP_DATAGRAM_BYTES = 32 * 1024;

/** Outcome of one dump. */
export interface DumpResult {
  /** inet_diag replies delivered to the callback. */
  readonly messages: number;
  /** Datagrams received for this dump. */
  readonly datagrams: number;
  /**
   * The kernel flagged the dump NLM_F_DUMP_INTR: the socket table changed while
   * it was dumped, so a socket may be missing or seen twice. The messages are
   * still valid snapshots.
   */
  readonly interrupted: boolean;
}

/**
 * Called once per inet_diag reply (the inet_diag_msg and its attributes). The
 * payload is a view into the received datagram, valid only during the call:
 * copy what you keep. `datagram` is that datagram, the same object for each
 * of its messages: a caller that keeps a view per datagram (the cache's
 * words) recognises it by identity instead of asking each payload for its
 * `buffer` (a call into V8's C++ on Node 20).
 */
export type InetDiagMessageCallback = (payload: Buffer, datagram: Buffer) => void;

interface PendingDump {
  readonly seq: number;
  readonly onMessage: InetDiagMessageCallback;
  readonly resolve: (r: DumpResult) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  messages: number;
  datagrams: number;
  interrupted: boolean;
  /** The first error met; the dump is failed with it once the kernel is done (or at once for socket errors). */
  error: Error | undefined;
}

/** Runs a native-callback body; an exception is reported instead of aborting the process. */
function guard(body: () => void): void {
  try {
    body();
  } catch (err) {
    process.stderr.write(`tcp-info: internal error in a netlink callback: ${(err as Error)?.stack ?? String(err)}\n`);
  }
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(osConstants.errno)) if (value === errno) return name;
  return `E${errno}`;
}

/**
 * A sock_diag netlink socket that performs inet_diag dumps (SPEC §1), one at a
 * time, on top of `RawNetlinkSocket` from the `netlink` package. It does not
 * keep the process alive while idle.
 */
export class InetDiagSocket {
  readonly #raw: RawNetlinkSocket;
  readonly #port: number;
  readonly #timeoutMs: number;
  #seq = Math.floor(Math.random() * 0x7fffffff);
  #pending: PendingDump | undefined;
  #closed = false;
  /** Datagrams that arrived outside any dump or for an old sequence number (ignored). */
  strayDatagrams = 0;

  private constructor(options: InetDiagSocketOptions) {
    this.#timeoutMs = options.dumpTimeoutMs ?? 10_000;
    const datagramBufferSize = options.datagramBufferSize ?? DUMP_DATAGRAM_BYTES;
    this.#raw = openRawNetlinkSocket(NETLINK_SOCK_DIAG, {
      recvBufferSize: options.recvBufferSize ?? 4 * 1024 * 1024,
      sendBufferSize: options.sendBufferSize ?? 64 * 1024,
      ...(datagramBufferSize > 0 ? { messagePeeking: false, msgBufferSize: datagramBufferSize } : {}),
    });
    this.#port = this.#raw.address().port;
    // The binding reports ENOBUFS (receive buffer overrun) and other socket
    // errors here; without a listener they would crash the process.
    // These run inside the binding's native callbacks, where an exception aborts
    // the whole process: nothing may escape them.
    this.#raw.on('error', (err) => guard(() => this.#fail(new NetlinkError(`netlink socket: ${err.message}`, err.errno ?? 0, err.code ?? 'EIO'))));
    this.#raw.on('message', (msg, rinfo) => guard(() => this.#onDatagram(msg, rinfo.port)));
    this.#raw.on('truncatedMessage', () =>
      guard(() => this.#fail(new NetlinkError('netlink datagram truncated by a too-small receive buffer', 0, 'TRUNCATED'))),
    );
    this.#raw.unref();
  }

  /** Opens a sock_diag socket. Throws the binding's error (e.g. EPERM, EPROTONOSUPPORT) as is. */
  static open(options: InetDiagSocketOptions = {}): InetDiagSocket {
    return new InetDiagSocket(options);
  }

  /** The local netlink port id the kernel addresses replies to. */
  get port(): number {
    return this.#port;
  }

  /** The underlying socket, e.g. to join multicast groups (`addMembership`). */
  get raw(): RawNetlinkSocket {
    return this.#raw;
  }

  /** Whether a dump is in flight. */
  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Dumps every TCP socket of one address family: sends the SOCK_DIAG_BY_FAMILY
   * request `body` (an inet_diag_req_v2, see @tcpinfo/inetdiag
   * buildInetDiagReqV2) and calls `onMessage` for each reply until NLMSG_DONE.
   * Rejects with {@link NetlinkError} on NLMSG_ERROR, an error value in
   * NLMSG_DONE, ENOBUFS, a send failure, a timeout, or a second concurrent dump;
   * with {@link NetlinkParseError} on a malformed datagram; or with what
   * `onMessage` threw.
   */
  dump(body: Uint8Array, onMessage: InetDiagMessageCallback): Promise<DumpResult> {
    if (this.#closed) return Promise.reject(new NetlinkError('socket is closed', 0, 'CLOSED'));
    if (this.#pending !== undefined) return Promise.reject(new NetlinkError('a dump is already in progress on this socket', 0, 'BUSY'));
    this.#seq = (this.#seq + 1) >>> 0;
    const seq = this.#seq;
    const request = encodeMessage(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, seq, this.#port, body);
    return new Promise<DumpResult>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new NetlinkError(`dump not finished after ${this.#timeoutMs} ms`, 0, 'TIMEOUT')), this.#timeoutMs);
      timer.unref();
      this.#pending = { seq, onMessage, resolve, reject, timer, messages: 0, datagrams: 0, interrupted: false, error: undefined };
      this.#raw.ref();
      this.#raw.send(request, { port: 0 }, (err) =>
        guard(() => {
          if (err) this.#fail(new NetlinkError(`sending the dump request: ${err.message}`, err.errno ?? 0, err.code ?? 'EIO'));
        }),
      );
    });
  }

  /** Closes the socket; a dump in flight fails with code 'CLOSED'. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fail(new NetlinkError('socket closed during a dump', 0, 'CLOSED'));
    this.#raw.close();
  }

  #finish(): void {
    const p = this.#pending;
    if (p === undefined) return;
    this.#pending = undefined;
    clearTimeout(p.timer);
    if (!this.#closed) this.#raw.unref();
    if (p.error !== undefined) p.reject(p.error);
    else p.resolve({ messages: p.messages, datagrams: p.datagrams, interrupted: p.interrupted });
  }

  /** Fails the dump in flight now (socket-level errors: the rest of the dump is ignored by sequence number). */
  #fail(error: Error): void {
    const p = this.#pending;
    if (p === undefined) return;
    p.error ??= error;
    this.#finish();
  }

  #onDatagram(datagram: Buffer, fromPort: number): void {
    const p = this.#pending;
    // Only the kernel (port 0) answers dumps; stale datagrams of a failed dump carry an old seq.
    if (p === undefined || fromPort !== 0) {
      this.strayDatagrams++;
      return;
    }
    let done = false;
    let counted = false;
    try {
      forEachMessage(datagram, (type, flags, seq, pid, payload) => {
        if (done) return;
        if (seq !== p.seq || (pid !== this.#port && pid !== 0)) {
          if (!counted) this.strayDatagrams++;
          counted = true;
          return;
        }
        if (!counted) p.datagrams++;
        counted = true;
        if (flags & NLM_F_DUMP_INTR) p.interrupted = true;
        switch (type) {
          case SOCK_DIAG_BY_FAMILY:
            if (p.error === undefined) {
              p.messages++;
              try {
                p.onMessage(payload, datagram);
              } catch (err) {
                p.error = err instanceof Error ? err : new Error(String(err));
              }
            }
            return;
          case NLMSG_DONE: {
            const errno = payloadErrno(payload);
            if (errno > 0) p.error ??= new NetlinkError(`dump failed: ${errnoName(errno)}`, errno, errnoName(errno));
            done = true;
            return;
          }
          case NLMSG_ERROR: {
            const errno = payloadErrno(payload);
            if (errno !== 0) {
              p.error ??= new NetlinkError(`kernel refused the dump: ${errnoName(errno)}`, errno, errnoName(errno));
              done = true;
            }
            return;
          }
          case NLMSG_OVERRUN:
            p.error ??= new NetlinkError('netlink overrun', osConstants.errno.ENOBUFS, 'ENOBUFS');
            return;
          case NLMSG_NOOP:
          default:
            return;
        }
      });
    } catch (err) {
      p.error ??= err instanceof NetlinkParseError ? err : new NetlinkParseError('BAD_LENGTH', String(err));
      done = true;
    }
    if (done) this.#finish();
  }
}
