import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { EventParseError } from './errors.js';
import { EventQueue } from './event-queue.js';
import { LineSplitter } from './line-splitter.js';
import { parseFlowEventLine, type ClientFlowEvent } from './parse.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** First delay before reconnecting (default 100 ms); doubled after each failed attempt … */
  readonly minBackoffMs?: number;
  /** … up to this (default 5000 ms). */
  readonly maxBackoffMs?: number;
  /** Longest line accepted (default 65536, as the Go client's `bufio.Scanner`); longer ones are reported and skipped. */
  readonly maxLineLength?: number;
  /**
   * Events an async iterator may have waiting before the client stops reading
   * the socket (default 10,000); reading resumes when it is half drained. A
   * consumer that stays behind is eventually dropped by the server, and the
   * client reconnects. `event` listeners are called as lines arrive, regardless.
   */
  readonly highWaterMark?: number;
  /** Aborting it closes the client. */
  readonly signal?: AbortSignal;
}

/** The events of {@link EventSocketClient} and their arguments. */
export type EventSocketClientEvents = {
  /** A flow event (open or close). */
  event: [event: ClientFlowEvent];
  /** Connected (first time and after every reconnect). */
  connect: [];
  /** Connected again after a disconnect: events in between were missed. */
  reconnect: [];
  /** A connection was lost; reconnecting. The error, if the connection failed with one. */
  disconnect: [error: Error | undefined];
  /**
   * A line that is not an event; reading goes on. (Not named `error`: a bad line
   * is not fatal, and `events.once()` would reject on it.) The client never emits `error`.
   */
  parseError: [error: EventParseError];
  /** {@link EventSocketClient.close} finished. */
  close: [];
};

const DEFAULT_MIN_BACKOFF_MS = 100;
const DEFAULT_MAX_BACKOFF_MS = 5000;
const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;
const DEFAULT_HIGH_WATER_MARK = 10_000;

/**
 * A connection to tcp-info's event socket that survives daemon restarts: it
 * reconnects with exponential back-off (with jitter, so that many sidecars do
 * not knock at once) for as long as it is not closed.
 *
 * Use it as an EventEmitter (`on('event', …)`) or as an async iterable
 * (`for await (const e of client)`); each iterator gets every event received
 * while it iterates, and iteration ends after {@link close}.
 */
export class EventSocketClient extends EventEmitter<EventSocketClientEvents> implements AsyncIterable<ClientFlowEvent> {
  /** The socket path. */
  readonly path: string;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #highWaterMark: number;
  readonly #iterators = new Set<EventQueue<ClientFlowEvent>>();
  readonly #lines: LineSplitter;
  #socket: Socket | undefined;
  #connected = false;
  #everConnected = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #backoffMs: number;
  #retryTimer: NodeJS.Timeout | undefined;
  #paused = false;
  /** When the current connection was made, and whether it brought any data. */
  #connectedAt = 0;
  #receivedData = false;
  #abort: { signal: AbortSignal; listener: () => void } | undefined;

  constructor(path: string, options: ConnectOptions = {}) {
    super();
    this.path = path;
    this.#minBackoffMs = options.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS;
    this.#maxBackoffMs = Math.max(options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, this.#minBackoffMs);
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#backoffMs = this.#minBackoffMs;
    this.#lines = new LineSplitter(
      options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
      (line) => this.#onLine(line),
      (prefix) => this.#reportError(new EventParseError('LINE_TOO_LONG', `line longer than ${this.#lines.maxLineLength} characters: ${prefix}…`)),
    );
    const signal = options.signal;
    if (signal?.aborted) {
      this.#closed = true;
      return;
    }
    if (signal !== undefined) {
      const listener = () => void this.close();
      signal.addEventListener('abort', listener, { once: true });
      this.#abort = { signal, listener };
    }
    this.#dial();
  }

  /** Whether the client is connected now. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #dial(): void {
    this.#retryTimer = undefined;
    if (this.#closed) return;
    const socket = netConnect(this.path);
    this.#socket = socket;
    this.#lines.reset();
    socket.setEncoding('utf8'); // decodes characters split across chunks correctly
    let failure: Error | undefined;
    socket.on('connect', () => {
      this.#connected = true;
      this.#connectedAt = Date.now();
      this.#receivedData = false;
      if (this.#paused) socket.pause();
      this.emit('connect');
      if (this.#everConnected) this.emit('reconnect');
      this.#everConnected = true;
    });
    socket.on('data', (chunk: string) => {
      this.#receivedData = true;
      this.#lines.push(chunk);
    });
    socket.on('error', (err) => (failure = err)); // 'close' follows
    socket.on('close', () => this.#onSocketClose(socket, failure));
  }

  #onSocketClose(socket: Socket, failure: Error | undefined): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    const wasConnected = this.#connected;
    this.#connected = false;
    if (this.#closed) return;
    if (wasConnected) this.emit('disconnect', failure);
    // A connection that brought events or lasted is a fresh start; one closed at
    // once (a server refusing clients) keeps backing off instead of hammering.
    if (wasConnected && (this.#receivedData || Date.now() - this.#connectedAt >= this.#maxBackoffMs)) this.#backoffMs = this.#minBackoffMs;
    // Jitter of ±20 %: sidecars that lost the same daemon should not all knock at once.
    const delay = Math.round(this.#backoffMs * (0.8 + 0.4 * Math.random()));
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
    this.#retryTimer = setTimeout(() => this.#dial(), delay);
  }

  #onLine(line: string): void {
    if (line === '') return;
    let event: ClientFlowEvent;
    try {
      event = parseFlowEventLine(line);
    } catch (err) {
      this.#reportError(err instanceof EventParseError ? err : new EventParseError('BAD_JSON', String(err)));
      return;
    }
    this.emit('event', event);
    for (const queue of this.#iterators) {
      queue.push(event);
      if (queue.length >= this.#highWaterMark) this.#pause();
    }
  }

  #reportError(err: EventParseError): void {
    // Like the Go client's "Unknown event type" log, a bad line never stops reading.
    this.emit('parseError', err);
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket?.pause();
  }

  #maybeResume(): void {
    if (!this.#paused) return;
    for (const queue of this.#iterators) if (queue.length > this.#highWaterMark / 2) return;
    this.#paused = false;
    this.#socket?.resume();
  }

  /**
   * An iterator over the events received from now on, until {@link close}
   * (events already received are still delivered, then iteration ends).
   */
  events(): AsyncIterableIterator<ClientFlowEvent> {
    const queue: EventQueue<ClientFlowEvent> = new EventQueue(
      () => {
        this.#iterators.delete(queue);
        this.#maybeResume();
      },
      () => this.#maybeResume(),
    );
    if (this.#closed) queue.end();
    else this.#iterators.add(queue);
    return queue;
  }

  /** Same as {@link events}. */
  [Symbol.asyncIterator](): AsyncIterator<ClientFlowEvent> {
    return this.events();
  }

  /**
   * Disconnects for good: no more reconnects, iterators end, `close` is
   * emitted. Resolves when the socket is closed. Safe to call twice.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#abort?.signal.removeEventListener('abort', this.#abort.listener);
    for (const queue of this.#iterators) queue.end();
    const socket = this.#socket;
    const socketClosed = socket === undefined || socket.closed ? Promise.resolve() : new Promise<void>((r) => socket.once('close', () => r()));
    socket?.destroy();
    this.#closing = socketClosed.then(() => {
      this.emit('close');
    });
    return this.#closing;
  }
}

/** Connects to tcp-info's event socket at `path`; see {@link EventSocketClient}. */
export function connect(path: string, options?: ConnectOptions): EventSocketClient {
  return new EventSocketClient(path, options);
}
