import { createServer, type Server, type Socket } from 'node:net';
import type { FlowEvent } from './events.js';
import { formatFlowEvent } from './format.js';
import { listenWithMode, removeSocketFile, removeStaleSocket } from './socket-file.js';

/** Options of {@link EventSocketServer}. */
export interface EventSocketServerOptions {
  /**
   * File mode of the socket, in force from its creation (default 0o660: owner
   * and group, e.g. the sidecars' group). Connecting needs write permission.
   */
  readonly mode?: number;
  /**
   * Most bytes a client may leave waiting in our memory, beyond what the
   * kernel's socket buffer holds (default 4 MiB, about 20,000 events). It is
   * checked before each turn's lines are added, so one large burst (at start-up
   * every existing connection is new) never drops a client that keeps up; a
   * client still this far behind at the next turn is disconnected. Memory per
   * client is thus at most this plus one turn's lines (shared by all clients).
   */
  readonly maxQueuedBytes?: number;
  /** Most clients at once (default 128); more are disconnected on arrival. */
  readonly maxClients?: number;
  /** How long {@link EventSocketServer.close} lets clients take their last bytes before cutting them off (default 1000 ms). */
  readonly closeGraceMs?: number;
  /** Called for every event emitted, clients or not (→ `tcpinfo_flow_events_total{event}`). */
  readonly onEvent?: (kind: 'open' | 'close') => void;
  /** Called whenever the number of connected clients changes (→ a gauge). */
  readonly onClientCount?: (clients: number) => void;
  /** Called for each client disconnected for falling behind (→ a counter of dropped slow clients). */
  readonly onClientDropped?: () => void;
  /**
   * Called for each client refused because `maxClients` were connected. The
   * server does not log refusals: a crowd of clients would make one line each;
   * the caller counts them and logs at the rate it wants (the daemon: a metric
   * and at most one line per 10 s).
   */
  readonly onClientRefused?: () => void;
  /** One line per notable incident (a dropped slow client, an accept error). */
  readonly log?: (line: string) => void;
}

/** Counts kept by the server since it was made. */
export interface EventSocketServerStats {
  /** Open events emitted. */
  readonly openEvents: number;
  /** Close events emitted. */
  readonly closeEvents: number;
  /** Clients connected now. */
  readonly clients: number;
  /** Clients ever accepted. */
  readonly acceptedClients: number;
  /** Clients disconnected for falling behind. */
  readonly droppedSlowClients: number;
  /** Clients refused because `maxClients` were connected. */
  readonly refusedClients: number;
  /** Bytes waiting in our memory for all clients now. */
  readonly queuedBytes: number;
}

const DEFAULT_MODE = 0o660;
const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_CLIENTS = 128;
const DEFAULT_CLOSE_GRACE_MS = 1000;

/**
 * The daemon's event socket (SPEC §8): a Unix stream socket; each connected
 * client receives one JSON line per flow event from the moment it connects.
 *
 * {@link emit} never blocks and never waits for a client: it formats the line
 * once; the lines of one turn of the event loop (a polling cycle's events) go
 * to every client as one shared buffer, one write per client, on the next tick.
 * Each client's backlog is bounded by `maxQueuedBytes`; a
 * client beyond it is disconnected and counted, so a stuck sidecar can delay
 * neither polling nor the other clients.
 */
export class EventSocketServer {
  readonly #clients = new Set<Socket>();
  #pending: string[] = [];
  readonly #mode: number;
  readonly #maxQueuedBytes: number;
  readonly #maxClients: number;
  readonly #opts: EventSocketServerOptions;
  #server: Server | undefined;
  #starting = false;
  #closing: Promise<void> | undefined;
  #path = '';
  #stats = { openEvents: 0, closeEvents: 0, acceptedClients: 0, droppedSlowClients: 0, refusedClients: 0 };

  constructor(options: EventSocketServerOptions = {}) {
    this.#opts = options;
    this.#mode = options.mode ?? DEFAULT_MODE;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
  }

  /** Clients connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** The path listened on ('' before {@link listen} and after {@link close}). */
  get path(): string {
    return this.#path;
  }

  /** A snapshot of the server's counts. */
  get stats(): EventSocketServerStats {
    let queuedBytes = 0;
    for (const socket of this.#clients) queuedBytes += socket.writableLength;
    return { ...this.#stats, clients: this.#clients.size, queuedBytes };
  }

  /**
   * Listens on `path`. A stale socket file there (no server answers) is
   * replaced; an existing file that is not a socket, or a socket some server
   * answers on, is refused with {@link EventSocketError} (`NOT_A_SOCKET`,
   * `IN_USE`) and left alone; other failures are `LISTEN`.
   */
  async listen(path: string): Promise<void> {
    if (this.#server !== undefined || this.#starting) throw new Error('EventSocketServer: already listening');
    this.#starting = true;
    const server = createServer((socket) => this.#accept(socket));
    try {
      await removeStaleSocket(path);
      await listenWithMode(server, path, this.#mode);
    } finally {
      this.#starting = false;
    }
    server.on('error', (err) => this.#opts.log?.(`eventsocket: ${err.message}`));
    // The event socket alone must not keep the daemon alive.
    server.unref();
    this.#server = server;
    this.#path = path;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => socket.destroy()); // 'close' follows and removes it
    if (this.#clients.size >= this.#maxClients) {
      this.#stats.refusedClients++;
      this.#opts.onClientRefused?.();
      socket.destroy();
      return;
    }
    this.#stats.acceptedClients++;
    this.#clients.add(socket);
    this.#opts.onClientCount?.(this.#clients.size);
    // Clients only read. Whatever they send is read and discarded, so that it
    // cannot fill buffers, and a client's half-close (end) is answered by ours.
    socket.resume();
    socket.on('close', () => this.#remove(socket));
  }

  #remove(socket: Socket): boolean {
    if (!this.#clients.delete(socket)) return false;
    this.#opts.onClientCount?.(this.#clients.size);
    return true;
  }

  /** Sends one event to every client connected now. Never blocks. */
  emit(event: FlowEvent): void {
    if (event.event === 0) this.#stats.openEvents++;
    else this.#stats.closeEvents++;
    this.#opts.onEvent?.(event.event === 0 ? 'open' : 'close');
    if (this.#clients.size === 0) return;
    // Lines of one turn of the event loop (a polling cycle's events) are sent
    // together on the next tick: one buffer for all clients, one write each.
    // No client can connect in between (accepting needs the event loop), so each
    // client gets exactly the events emitted after it connected.
    if (this.#pending.length === 0) process.nextTick(() => this.#flush());
    this.#pending.push(formatFlowEvent(event) + '\n');
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    for (const socket of this.#clients) {
      if (socket.destroyed) continue;
      // Judged by what is still waiting from earlier turns: a burst (every
      // connection is new at start-up) must not cost a client that keeps up.
      if (socket.writableLength > this.#maxQueuedBytes) this.#dropSlow(socket);
      else socket.write(bytes); // the socket keeps a reference, never a copy per client
    }
  }

  #dropSlow(socket: Socket): void {
    const behind = socket.writableLength;
    this.#remove(socket);
    this.#stats.droppedSlowClients++;
    this.#opts.onClientDropped?.();
    this.#opts.log?.(`eventsocket: a client is ${behind} bytes behind (limit ${this.#maxQueuedBytes}); disconnected`);
    socket.destroy();
  }

  /**
   * Stops listening, disconnects every client (events already handed to
   * {@link emit} are flushed to clients that keep up first; a client that has
   * not taken them within `closeGraceMs` is cut off) and removes the socket
   * file. Safe to call twice: every call resolves when the first is done.
   */
  close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return this.#closing ?? Promise.resolve();
    this.#server = undefined;
    this.#closing = this.#shutDown(server);
    return this.#closing;
  }

  async #shutDown(server: Server): Promise<void> {
    this.#flush();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of [...this.#clients]) socket.end();
    // A client that does not take its last bytes within a moment is cut off.
    const cutOff = setTimeout(() => {
      for (const socket of this.#clients) socket.destroy();
    }, this.#opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
    await Promise.all([closed, ...[...this.#clients].map((s) => new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r()))))]);
    clearTimeout(cutOff);
    removeSocketFile(this.#path);
    this.#path = '';
  }
}
