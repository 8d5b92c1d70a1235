import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NETLINK_SOCK_DIAG, SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET_TCP_DESTROY, SOCK_DIAG_BY_FAMILY } from '@tcpinfo/inetdiag';
import type { Readable, Writable } from 'node:stream';
import { openRawNetlinkSocket } from './binding.js';
import { NetlinkError } from './errors.js';
import { forEachMessage } from './framing.js';
import { RELAY_EXIT_REFUSED, RelayFrameReader } from './destroy-relay-frames.js';
/** More relay restarts than this within a second, and the next waits a second. */
const RESTARTS_PER_SECOND = 5;

/**
 * The relay's program (destroy-relay.ts, its own tsup entry): beside this module
 * in dist, for the ESM and the CommonJS build alike; from the sources (tests
 * under vitest) the built file in ../dist, as child processes cannot run
 * TypeScript on Node 20.
 */
function relayProgram(): string {
  const candidates = ['./destroy-relay.js', '../dist/destroy-relay.js'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

/**
 * V8 limit of the relay, which only copies datagrams: a young generation of at
 * most 1 MB per semi-space (the default grows to 16 MB in a burst of
 * notifications). Measured: about 1 MB less peak RSS after 4,000 closes. The old
 * generation is not capped: a relay killed for memory would lose notifications.
 */
const RELAY_NODE_FLAGS = ['--max-semi-space-size=1'];

/** Options of {@link DestroyListener.open}. */
export interface DestroyListenerOptions {
  /** SO_RCVBUF (default 32 MiB, capped by net.core.rmem_max): room for bursts of closes. */
  readonly recvBufferSize?: number;
  /** Called when the kernel dropped notifications (ENOBUFS: the buffer overran). */
  readonly onOverrun?: () => void;
  /** Called for any other failure (the listener keeps trying). */
  readonly onError?: (err: NetlinkError) => void;
}

/**
 * Receives the kernel's notification of every destroyed TCP socket (IPv4 and
 * IPv6): an inet_diag message with the socket's final INET_DIAG_INFO, as `ss -E`
 * shows.
 *
 * The socket lives in a small relay process (see destroy-relay.ts for
 * why): an overrun there cannot take the daemon down, and a relay that dies is
 * replaced at once, its loss counted as an overrun. Never keeps the process alive.
 */
export class DestroyListener {
  readonly #onMessage: (payload: Buffer) => void;
  readonly #options: DestroyListenerOptions;
  #child: ChildProcess | undefined;
  #closed = false;
  #restarts: number[] = [];
  #markReady!: () => void;
  /** Settles once the first relay has joined the groups (notifications flow from then on). */
  readonly ready: Promise<void>;

  private constructor(onMessage: (payload: Buffer) => void, options: DestroyListenerOptions) {
    this.#onMessage = onMessage;
    this.#options = options;
    this.ready = new Promise((resolve) => (this.#markReady = resolve));
  }

  /**
   * Checks that the kernel lets this process join both groups (throws a
   * NetlinkError, e.g. EPERM, when it does not), then starts the relay;
   * `onMessage` gets each notification's payload (a view, valid during the call).
   */
  static open(onMessage: (payload: Buffer) => void, options: DestroyListenerOptions = {}): DestroyListener {
    probeMembership();
    const listener = new DestroyListener(onMessage, options);
    listener.#spawn();
    return listener;
  }

  /** Stops listening: the relay ends; notifications still in flight are dropped. */
  close(): void {
    this.#closed = true;
    this.#markReady();
    this.#child?.kill();
    this.#child = undefined;
  }

  #spawn(): void {
    const size = String(this.#options.recvBufferSize ?? 32 * 1024 * 1024);
    const groups = [SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY].map(String);
    const child = spawn(process.execPath, [...RELAY_NODE_FLAGS, relayProgram(), String(NETLINK_SOCK_DIAG), size, ...groups], {
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    this.#child = child;
    const stdin = child.stdin as Writable & { unref?: () => void };
    const stderr = child.stderr as Readable & { unref?: () => void };
    const frames = child.stdio[3] as Readable & { unref?: () => void };
    let errorText = '';
    stdin.on('error', () => {});
    stderr.on('data', (d: Buffer) => (errorText = (errorText + d.toString()).slice(-1000)));
    const reader = new RelayFrameReader();
    frames.on('data', (chunk: Buffer) => {
      if (this.#closed) return;
      reader.push(chunk, (frame) => this.#onFrame(frame), () => this.#markReady());
    });
    frames.on('error', () => {});
    child.on('error', (err) => this.#report(`cannot start the destroy-notification relay: ${err.message}`, 'ERELAY'));
    child.on('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#closed) return;
      if (code === RELAY_EXIT_REFUSED) {
        this.#report(`cannot join the sock_diag destroy groups: ${errorText.trim()}`, 'EPERM');
      } else if (signal === 'SIGABRT' || code === 134) {
        // The binding aborts on a poll error: the kernel flagged an overrun.
        this.#overrun();
      } else {
        this.#report(`destroy-notification relay ended (${signal ?? `status ${code}`}): ${errorText.trim()}`, 'ERELAY');
      }
      this.#respawn();
    });
    for (const s of [child, stdin, stderr, frames]) (s as { unref?: () => void }).unref?.();
  }

  #respawn(): void {
    const now = Date.now();
    this.#restarts = this.#restarts.filter((t) => now - t < 1000);
    this.#restarts.push(now);
    if (this.#restarts.length <= RESTARTS_PER_SECOND) return this.#spawn();
    setTimeout(() => {
      if (!this.#closed) this.#spawn();
    }, 1000).unref();
  }

  #onFrame(frame: Buffer): void {
    if (frame.length === 0) return this.#overrun();
    // Nothing a handler throws may stop the stream of notifications.
    try {
      forEachMessage(frame, (type, _flags, _seq, _pid, payload) => {
        if (type === SOCK_DIAG_BY_FAMILY) this.#onMessage(payload);
      });
    } catch (err) {
      const e = err as Error;
      this.#report(`destroy notification not handled: ${e.stack ?? e.message}`, 'HANDLER');
    }
  }

  #overrun(): void {
    try {
      this.#options.onOverrun?.();
    } catch (e) {
      process.stderr.write(`tcp-info: destroy-notification overrun handler failed: ${(e as Error).stack}\n`);
    }
  }

  #report(message: string, code: string): void {
    try {
      this.#options.onError?.(new NetlinkError(message, 0, code));
    } catch (e) {
      process.stderr.write(`tcp-info: destroy-notification error handler failed: ${(e as Error).stack}\n`);
    }
  }

}

/** Throws a NetlinkError unless this process may join both destroy groups. */
function probeMembership(): void {
  const probe = openRawNetlinkSocket(NETLINK_SOCK_DIAG, { recvBufferSize: 4096, sendBufferSize: 4096 });
  try {
    probe.addMembership(SKNLGRP_INET_TCP_DESTROY);
    probe.addMembership(SKNLGRP_INET6_TCP_DESTROY);
  } catch (err) {
    const e = err as { errno?: number; code?: string; message: string };
    throw new NetlinkError(`cannot join the sock_diag destroy groups: ${e.code ?? e.message}`, e.errno ?? 0, e.code ?? 'EPERM');
  } finally {
    probe.close();
  }
}
