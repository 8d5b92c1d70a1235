import { mkdtempSync, readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSocketServer, TCPEvent, type EventSocketServerOptions, type FlowEvent } from '../src/index.js';

/** A fresh socket path in a private temporary directory. */
export function socketPath(name = 'ev.sock'): string {
  return join(mkdtempSync(join(tmpdir(), 'evsock-')), name);
}

/** Resolves a waiter once `predicate()` holds, re-checked whenever `check()` is called. */
export class Condition {
  #waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  /** Re-evaluates every waiter. */
  check(): void {
    const pending = this.#waiters;
    this.#waiters = [];
    for (const waiter of pending) {
      if (waiter.predicate()) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }
  /** Resolves when `predicate()` holds. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }
}

/** A server whose client count can be awaited (through its onClientCount hook, no polling). */
export async function startServer(path: string, options: EventSocketServerOptions = {}) {
  const counted = new Condition();
  const server = new EventSocketServer({
    ...options,
    onClientCount: (n) => {
      options.onClientCount?.(n);
      counted.check();
    },
  });
  await server.listen(path);
  return { server, untilClients: (n: number) => counted.until(() => server.clients === n) };
}

/** A plain socket client that collects lines, whose line count can be awaited. */
export function rawClient(path: string) {
  const lines: string[] = [];
  const arrived = new Condition();
  const sock: Socket = connect(path);
  let partial = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    arrived.check();
  });
  sock.on('close', () => arrived.check());
  return { sock, lines, untilLines: (n: number) => arrived.until(() => lines.length >= n || sock.closed) };
}

/** An open event numbered `n` (uuid `u<n>`, sport n % 65536, cookie n). */
export function openEvent(n: number): FlowEvent {
  return { event: TCPEvent.Open, timestampNanos: BigInt(n), uuid: `u${n}`, id: { sport: n % 65536, dport: 1, srcIP: '192.0.2.1', dstIP: '192.0.2.2', interface: 0, cookie: BigInt(n) } };
}

/** Descriptors open in this process now. */
export function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}
