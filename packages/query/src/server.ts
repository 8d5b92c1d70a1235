import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { listenWithMode, removeSocketFile, removeStaleSocket } from '@tcpinfo/eventsocket';
import { QueryError } from './errors.js';
import type { FlowTable } from './flow-table.js';
import { AnswerCache, DEFAULT_CACHED_SNAPSHOTS } from './format.js';
import { route } from './routes.js';

/** Options of a {@link QueryServer}. */
export interface QueryServerOptions {
  /** File mode of the socket from its creation (default 0o660, as the event socket). */
  readonly mode?: number;
  /** Most clients at once (default 64); more get a 503 and are closed. */
  readonly maxClients?: number;
  /**
   * A client that neither sends nor takes any byte for this long is closed
   * (default 10 s): a client that stops reading holds its slot no longer.
   */
  readonly idleTimeoutMs?: number;
  /** Connections per chunk of a listing (default 256): the work of one turn of the event loop. */
  readonly listChunk?: number;
  /**
   * Latest snapshots kept as JSON for the connections asked about most
   * recently (default 1024, ~2.5 KB each): asked again before its next
   * snapshot, a connection's answer costs its figures only.
   */
  readonly cachedSnapshots?: number;
  /** One line per incident. */
  readonly log?: (line: string) => void;
  /** Called when the number of clients changes. */
  readonly onClientCount?: (clients: number) => void;
}

/** Counts kept since the server started. */
export interface QueryServerStats {
  readonly clients: number;
  readonly acceptedClients: number;
  readonly refusedClients: number;
  readonly requests: number;
  readonly badRequests: number;
}

const DEFAULTS = { mode: 0o660, maxClients: 64, idleTimeoutMs: 10_000, listChunk: 256, cachedSnapshots: DEFAULT_CACHED_SNAPSHOTS };

/** A fixed answer written on the raw socket (no HTTP parser involved), then the connection ends. */
function rawAnswer(status: string, message: string): string {
  const body = JSON.stringify({ error: message }) + '\n';
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
const TOO_MANY = rawAnswer('503 Service Unavailable', 'too many clients');
const MALFORMED = rawAnswer('400 Bad Request', 'malformed request');

/**
 * The query socket: HTTP/1.1 on a Unix socket (node:http over a net server
 * whose accept loop enforces `maxClients`), answering from a {@link FlowTable}.
 * All decisions are in `route`, `FlowTable` and `format`; this class does I/O.
 *
 * Polling never waits for a client: answers are built when asked, on the event
 * loop between cycles; a listing goes out in chunks of `listChunk`
 * connections, the next chunk only once the client took the previous one
 * (so a client that does not read costs one chunk of memory, and is closed
 * after `idleTimeoutMs`). Nothing runs per client on the polling path, and
 * nothing at all while no client asks: answers are cached per snapshot
 * ({@link AnswerCache}), their validity checked when asked, never per cycle.
 */
export class QueryServer {
  readonly #table: FlowTable;
  readonly #opts: Required<Omit<QueryServerOptions, 'log' | 'onClientCount'>> & Pick<QueryServerOptions, 'log' | 'onClientCount'>;
  readonly #clients = new Set<Socket>();
  readonly #answers: AnswerCache;
  readonly #http: HttpServer;
  #net: NetServer | undefined;
  #path = '';
  #stats = { acceptedClients: 0, refusedClients: 0, requests: 0, badRequests: 0 };

  constructor(table: FlowTable, options: QueryServerOptions = {}) {
    this.#table = table;
    this.#opts = { ...DEFAULTS, ...options };
    this.#answers = new AnswerCache(this.#opts.cachedSnapshots);
    this.#http = createHttpServer({ requestTimeout: this.#opts.idleTimeoutMs, headersTimeout: this.#opts.idleTimeoutMs, maxHeaderSize: 8192 }, (req, res) =>
      this.#handle(req, res),
    );
    // Idle clients are closed by the socket timeout set in #accept, the one
    // rule for idleness. node:http's own keep-alive timeout would make a new
    // timer object after every answer (~10 µs of the ~120 µs a query costs the
    // polling thread, test/server.test.ts's idle test pins the behaviour).
    this.#http.keepAliveTimeout = 0;
    // Malformed HTTP (the parser refused it): 400, then closed.
    this.#http.on('clientError', (_err, socket: Socket) => {
      this.#stats.badRequests++;
      if (socket.writable) socket.end(MALFORMED);
      else socket.destroy();
    });
  }

  /** The counts since start. */
  get stats(): QueryServerStats {
    return { ...this.#stats, clients: this.#clients.size };
  }

  /** The path listened on ('' before {@link listen} and after {@link close}). */
  get path(): string {
    return this.#path;
  }

  /**
   * Listens on `path` with the configured mode. A stale socket file is
   * replaced; a file that is not a socket, or a socket a live server answers
   * on, is refused ({@link QueryError} `LISTEN`) and left alone.
   */
  async listen(path: string): Promise<void> {
    if (this.#net !== undefined) throw new QueryError('ALREADY_LISTENING', 'QueryServer: already listening');
    const net = createNetServer((socket) => this.#accept(socket));
    this.#net = net;
    try {
      await removeStaleSocket(path);
      await listenWithMode(net, path, this.#opts.mode);
    } catch (err) {
      this.#net = undefined;
      throw new QueryError('LISTEN', (err as Error).message, err as Error);
    }
    net.on('error', (err) => this.#opts.log?.(`query socket: ${err.message}`));
    net.unref(); // the query socket alone must not keep the daemon alive
    this.#path = path;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    if (this.#clients.size >= this.#opts.maxClients) {
      this.#stats.refusedClients++;
      socket.end(TOO_MANY);
      socket.setTimeout(1000, () => socket.destroy());
      return;
    }
    this.#stats.acceptedClients++;
    this.#clients.add(socket);
    this.#opts.onClientCount?.(this.#clients.size);
    socket.once('close', () => {
      this.#clients.delete(socket);
      this.#opts.onClientCount?.(this.#clients.size);
    });
    socket.setTimeout(this.#opts.idleTimeoutMs, () => socket.destroy());
    this.#http.emit('connection', socket);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    this.#stats.requests++;
    req.resume(); // a body, if any, is ignored
    const r = route(req.method, req.url);
    switch (r.kind) {
      case 'error':
        if (r.status === 400) this.#stats.badRequests++;
        this.#send(res, r.status, JSON.stringify({ error: r.message }), r.status === 400);
        return;
      case 'uuid':
      case 'cookie': {
        const flow = r.kind === 'uuid' ? this.#table.get(r.uuid) : this.#table.getByCookie(r.cookieHex);
        if (flow === undefined) this.#send(res, 404, JSON.stringify({ error: 'no such connection (never seen, excluded, or closed longer ago than the retention)' }));
        else this.#send(res, 200, this.#answers.answerJson(flow, this.#table.now()));
        return;
      }
      case 'list':
        void this.#list(res);
    }
  }

  #send(res: ServerResponse, status: number, body: string, close = false): void {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body) + 1,
      ...(close ? { Connection: 'close' } : {}),
    });
    res.end(body + '\n');
  }

  /** Streams the open connections as one JSON array, a chunk per turn, waiting for the client between chunks. */
  async #list(res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const flows = this.#table.openFlows();
    let first = true;
    let text = '[';
    for (;;) {
      let n = 0;
      let done = false;
      for (; n < this.#opts.listChunk; n++) {
        const next = flows.next();
        if (next.done) {
          done = true;
          break;
        }
        text += (first ? '\n' : ',\n') + this.#answers.listEntryJson(next.value);
        first = false;
      }
      if (done) break;
      const flowing = res.write(text);
      text = '';
      if (!(await this.#turn(res, flowing))) return;
    }
    res.end(text + '\n]\n');
  }

  /** Waits for the next turn (and for the client to drain if it is behind); false if the client went away. */
  #turn(res: ServerResponse, flowing: boolean): Promise<boolean> {
    return new Promise((resolve) => {
      if (res.destroyed) return resolve(false);
      const onClose = () => resolve(false);
      res.once('close', onClose);
      const go = () => {
        res.off('close', onClose);
        resolve(!res.destroyed);
      };
      if (flowing) setImmediate(go);
      else res.once('drain', go);
    });
  }

  /** Stops listening, closes every client and removes the socket file. */
  async close(): Promise<void> {
    const net = this.#net;
    if (net === undefined) return;
    this.#net = undefined;
    const closed = new Promise<void>((resolve) => net.close(() => resolve()));
    for (const socket of this.#clients) socket.destroy();
    await closed;
    removeSocketFile(this.#path);
    this.#path = '';
  }
}
