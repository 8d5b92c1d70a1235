import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { formatFlowEvent, type FlowEvent } from './wire.js';

/** Start-up failures of the server. */
export class EventSocketError extends Error {
  override readonly name = 'EventSocketError';
  constructor(
    /** 'NOT_A_SOCKET': the path exists and is something else (nothing was deleted); 'LISTEN': binding failed. */
    readonly code: 'NOT_A_SOCKET' | 'LISTEN',
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link EventSocketServer}. */
export interface EventSocketServerOptions {
  /** File mode of the socket (default 0o660: owner and group, e.g. the sidecars' group). */
  readonly mode?: number;
  /**
   * Most bytes a client may have waiting beyond the kernel's socket buffer
   * (default 4 MiB, ~20,000 events: a burst of closes must not drop a healthy
   * client). A client further behind is disconnected: a stuck sidecar never
   * delays polling or the others.
   */
  readonly maxQueuedBytes?: number;
  /** Counts (the daemon maps them to Prometheus metrics). */
  readonly onEvent?: (kind: 'open' | 'close') => void;
  readonly onClientCount?: (clients: number) => void;
  readonly onClientDropped?: () => void;
  readonly log?: (line: string) => void;
}

/**
 * The daemon's event socket (SPEC §8): a Unix stream socket; every connected
 * client receives one JSON line per flow event from the moment it connects.
 * {@link emit} never blocks: each client's backlog lives in its socket's
 * buffer, bounded by `maxQueuedBytes`.
 */
export class EventSocketServer {
  readonly #clients = new Set<Socket>();
  readonly #opts: EventSocketServerOptions;
  #server: Server | undefined;
  #path = '';

  constructor(options: EventSocketServerOptions = {}) {
    this.#opts = options;
  }

  /** Connected clients. */
  get clients(): number {
    return this.#clients.size;
  }

  /**
   * Listens on `path`. A stale socket file there is replaced; a path that exists
   * and is not a socket is refused ({@link EventSocketError} NOT_A_SOCKET) and left alone.
   */
  async listen(path: string): Promise<void> {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      stat = undefined;
    }
    if (stat !== undefined) {
      if (!stat.isSocket()) throw new EventSocketError('NOT_A_SOCKET', `${path} exists and is not a socket; refusing to replace it`);
      unlinkSync(path);
    }
    const server = createServer((socket) => this.#add(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new EventSocketError('LISTEN', `cannot listen on ${path}: ${err.message}`)));
      server.listen(path, () => resolve());
    });
    chmodSync(path, this.#opts.mode ?? 0o660);
    server.on('error', (err) => this.#opts.log?.(`tcp-info: event socket: ${err.message}`));
    server.unref();
    this.#server = server;
    this.#path = path;
  }

  #add(socket: Socket): void {
    this.#clients.add(socket);
    this.#opts.onClientCount?.(this.#clients.size);
    // Clients only read; whatever they send is ignored.
    socket.on('data', () => {});
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.#clients.delete(socket)) this.#opts.onClientCount?.(this.#clients.size);
    });
  }

  /** Sends one event to every client now connected. Never blocks. */
  emit(event: FlowEvent): void {
    this.#opts.onEvent?.(event.event === 0 ? 'open' : 'close');
    if (this.#clients.size === 0) return;
    const line = formatFlowEvent(event) + '\n';
    const max = this.#opts.maxQueuedBytes ?? 4 * 1024 * 1024;
    for (const socket of this.#clients) {
      if (socket.writableLength > max) {
        this.#clients.delete(socket);
        this.#opts.onClientDropped?.();
        this.#opts.onClientCount?.(this.#clients.size);
        this.#opts.log?.(`tcp-info: event socket client more than ${max} bytes behind: disconnected`);
        socket.destroy();
        continue;
      }
      socket.write(line);
    }
  }

  /** Stops listening, disconnects every client and removes the socket file. */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    for (const socket of this.#clients) socket.destroy();
    this.#clients.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      unlinkSync(this.#path);
    } catch {
      // already gone (node removes it on close)
    }
  }
}
