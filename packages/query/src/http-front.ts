import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { listenWithMode, removeStaleSocket } from '@tcpinfo/eventsocket';
import { AnswerCache } from './format.js';
import type { MainLink } from './main-link.js';
import { route } from './routes.js';
import { COUNTER, type QueryThreadConfig } from './thread-protocol.js';

/** A fixed answer written on the raw socket (no HTTP parser involved), then the connection ends. */
function rawAnswer(status: string, message: string): string {
  const body = JSON.stringify({ error: message }) + '\n';
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
const TOO_MANY = rawAnswer('503 Service Unavailable', 'too many clients');
const MALFORMED = rawAnswer('400 Bad Request', 'malformed request');
const NOT_FOUND = JSON.stringify({ error: 'no such connection (never seen, excluded, or closed longer ago than the retention)' });

/**
 * The query socket's HTTP, on the query thread: node:http behind a net server
 * whose accept loop enforces `maxClients`; flows are asked of the polling
 * thread through a {@link MainLink}, answers built here ({@link AnswerCache}).
 * Decisions are in `route`, `AnswerCache` and `format`; this class does I/O.
 * Counts go to the shared counters, which the polling thread reads without a
 * message.
 */
export class HttpFront {
  readonly #config: QueryThreadConfig;
  readonly #link: MainLink;
  readonly #counters: Int32Array;
  readonly #clients = new Set<Socket>();
  readonly #answers: AnswerCache;
  readonly #http: HttpServer;
  readonly #onClients: (n: number) => void;
  readonly #log: (line: string) => void;
  #net: NetServer | undefined;

  constructor(config: QueryThreadConfig, link: MainLink, onClients: (n: number) => void, log: (line: string) => void) {
    this.#config = config;
    this.#link = link;
    this.#counters = new Int32Array(config.counters);
    this.#onClients = onClients;
    this.#log = log;
    this.#answers = new AnswerCache(config.cachedSnapshots);
    this.#http = createHttpServer({ requestTimeout: config.idleTimeoutMs, headersTimeout: config.idleTimeoutMs, maxHeaderSize: 8192 }, (req, res) => {
      void this.#handle(req, res);
    });
    // Idle clients are closed by the socket timeout set in #accept, the one
    // rule for idleness (node:http's own keep-alive timeout would add a timer
    // object per answer; test/server.test.ts's idle test pins the behaviour).
    this.#http.keepAliveTimeout = 0;
    // Malformed HTTP (the parser refused it): 400, then closed.
    this.#http.on('clientError', (_err, socket: Socket) => {
      this.#count(COUNTER.badRequests);
      if (socket.writable) socket.end(MALFORMED);
      else socket.destroy();
    });
  }

  #count(counter: number, by = 1): void {
    Atomics.add(this.#counters, counter, by);
  }

  /** Listens (a stale socket file replaced; a live one or a file not a socket refused: throws). */
  async listen(): Promise<void> {
    const net = createNetServer((socket) => this.#accept(socket));
    await removeStaleSocket(this.#config.path);
    await listenWithMode(net, this.#config.path, this.#config.mode);
    net.on('error', (err) => this.#log(`query socket: ${err.message}`));
    this.#net = net;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    if (this.#clients.size >= this.#config.maxClients) {
      this.#count(COUNTER.refusedClients);
      socket.end(TOO_MANY);
      socket.setTimeout(1000, () => socket.destroy());
      return;
    }
    this.#count(COUNTER.acceptedClients);
    this.#clients.add(socket);
    Atomics.store(this.#counters, COUNTER.clients, this.#clients.size);
    this.#onClients(this.#clients.size);
    socket.once('close', () => {
      this.#clients.delete(socket);
      Atomics.store(this.#counters, COUNTER.clients, this.#clients.size);
      this.#onClients(this.#clients.size);
    });
    socket.setTimeout(this.#config.idleTimeoutMs, () => socket.destroy());
    this.#http.emit('connection', socket);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#count(COUNTER.requests);
    req.resume(); // a body, if any, is ignored
    const r = route(req.method, req.url);
    switch (r.kind) {
      case 'error':
        if (r.status === 400) this.#count(COUNTER.badRequests);
        this.#send(res, r.status, JSON.stringify({ error: r.message }), r.status === 400);
        return;
      case 'uuid':
      case 'cookie': {
        const reply = await this.#link.ask(r.kind === 'uuid' ? { by: 'uuid', key: r.uuid } : { by: 'cookie', key: r.cookieHex });
        const flow = reply.flows[0];
        if (res.destroyed) return;
        if (flow === undefined) this.#send(res, 404, NOT_FOUND);
        else this.#send(res, 200, this.#answers.answerJson(flow, reply.nowMs));
        return;
      }
      case 'list':
        await this.#list(res);
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

  /**
   * Streams the open connections as one JSON array, `listChunk` connections
   * per ask, the next asked only once the client took the previous chunk (a
   * client that does not read holds one chunk, and is closed when idle).
   */
  async #list(res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let reply = await this.#link.ask({ by: 'list' });
    const list = reply.id;
    let first = true;
    let text = '[';
    for (;;) {
      for (const flow of reply.flows) {
        text += (first ? '\n' : ',\n') + this.#answers.listEntryJson(flow);
        first = false;
      }
      if (reply.done) {
        if (!res.destroyed) res.end(text + '\n]\n');
        return;
      }
      if (res.destroyed || !(await this.#turn(res, res.write(text)))) {
        void this.#link.ask({ by: 'end', list });
        return;
      }
      text = '';
      reply = await this.#link.ask({ by: 'more', list });
    }
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

  /** Stops listening (the socket file goes with the listening handle) and closes every client. */
  async close(): Promise<void> {
    const net = this.#net;
    if (net === undefined) return;
    this.#net = undefined;
    const closed = new Promise<void>((resolve) => net.close(() => resolve()));
    for (const socket of this.#clients) socket.destroy();
    await closed;
  }
}
