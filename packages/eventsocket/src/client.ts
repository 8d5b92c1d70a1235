import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { parseFlowEventLine, type ClientFlowEvent } from './parse.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** First reconnect delay (default 100 ms), doubled after each failure … */
  readonly minBackoffMs?: number;
  /** … up to this (default 5 s). */
  readonly maxBackoffMs?: number;
}

/**
 * A connection to tcp-info's event socket that survives daemon restarts.
 * Events: `event` (ClientFlowEvent), `connect`, `disconnect`, `error` (bad lines;
 * the connection goes on), `close` (after {@link close}). Also an async
 * iterable of events, ending when closed.
 */
export class EventSocketClient extends EventEmitter implements AsyncIterable<ClientFlowEvent> {
  #socket: Socket | undefined;
  #closed = false;
  #backoff: number;
  #timer: NodeJS.Timeout | undefined;
  #buffer = '';
  readonly #queue: ClientFlowEvent[] = [];
  #wake: (() => void) | undefined;

  constructor(
    readonly path: string,
    private readonly options: ConnectOptions = {},
  ) {
    super();
    this.#backoff = options.minBackoffMs ?? 100;
    // Without a listener, a bad line would throw; the iterator reports nothing of it.
    this.on('error', () => {});
    this.#dial();
  }

  /** Whether the client is connected now. */
  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.connecting && !this.#socket.destroyed;
  }

  #dial(): void {
    if (this.#closed) return;
    const socket = netConnect(this.path);
    this.#socket = socket;
    this.#buffer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.#backoff = this.options.minBackoffMs ?? 100;
      this.emit('connect');
    });
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => {}); // 'close' follows and schedules the retry
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      if (this.#closed) return;
      this.emit('disconnect');
      this.#timer = setTimeout(() => this.#dial(), this.#backoff);
      this.#backoff = Math.min(this.#backoff * 2, this.options.maxBackoffMs ?? 5000);
    });
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line === '') continue;
      let event: ClientFlowEvent;
      try {
        event = parseFlowEventLine(line);
      } catch (err) {
        this.emit('error', err);
        continue;
      }
      this.emit('event', event);
      this.#queue.push(event);
      this.#wake?.();
    }
  }

  /** Disconnects for good; iteration ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket?.destroy();
    this.#wake?.();
    this.emit('close');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ClientFlowEvent> {
    for (;;) {
      while (this.#queue.length > 0) yield this.#queue.shift()!;
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

/** Connects to the event socket at `path` (reconnecting whenever the daemon restarts). */
export function connect(path: string, options?: ConnectOptions): EventSocketClient {
  return new EventSocketClient(path, options);
}
