import { AF_INET, AF_INET6, buildInetDiagReqV2, IDIAG_COOKIE_HI_OFFSET, IDIAG_COOKIE_LO_OFFSET, SIZEOF_INET_DIAG_MSG, type Anonymizer } from '@tcpinfo/inetdiag';
import { ArchivalRecord, AttributeRanges, DestroyListener, GoTime, InetDiagSocket, type DumpResult, type ExclusionRules } from '@tcpinfo/netlink';
import { ConnectionCache, cookieOf, UpdateResult, type CacheEntry } from '@tcpinfo/cache';
import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { rateLimitedLog, type ConnectionKey, type ConnectionState, type Saver } from '@tcpinfo/saver';
import { ByteTotals } from './byte-totals.js';
import { CloseReconciler } from './close-reconciler.js';
import { Ticker } from './ticker.js';

/** A connection in the collector's cache: the saver's state rides on it. */
export type Connection = CacheEntry<ConnectionState>;

/** What the collector uses of the saver (a {@link Saver}; tests record the calls). */
export type CollectorSaver = Pick<Saver, 'write' | 'close' | 'tick' | 'flushNow' | 'closeAll'>;

/**
 * The sock_diag socket the collector dumps through (an `InetDiagSocket`; tests
 * replay recorded kernel messages, so the collector runs without root).
 */
export interface DumpSocket {
  /**
   * Sends one inet_diag request and calls `onMessage` with each reply's payload (a view, valid
   * during the call) and, when known, the datagram it is a view of (see InetDiagMessageCallback).
   */
  dump(request: Uint8Array, onMessage: (payload: Buffer, datagram?: Buffer) => void): Promise<DumpResult>;
  close(): void;
}

/** A running source of destroy notifications (a `DestroyListener`). */
export interface DestroySource {
  /** Settles once notifications flow. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * Starts a {@link DestroySource} calling `onDestroyed` with each notification's
 * payload (a view, valid during the call); throws when the kernel refuses.
 */
export type OpenDestroySource = (
  onDestroyed: (payload: Buffer) => void,
  handlers: { readonly onOverrun: () => void; readonly onError: (err: Error) => void },
) => DestroySource;

/** Options of a {@link Collector}. */
export interface CollectorOptions {
  readonly saver: CollectorSaver;
  readonly metrics?: TcpInfoMetrics;
  /** Connections these rules drop are never written (loopback & co. are always dropped). */
  readonly exclude?: ExclusionRules;
  /** Applied to the inet_diag_msg of every record written. */
  readonly anonymizer?: Anonymizer;
  /** Polling period (default 10 ms). */
  readonly intervalMs?: number;
  /** Cycles to run, 0 = until stopped (default 0). */
  readonly reps?: number;
  /** The sock_diag socket (default: a new `InetDiagSocket`, closed when the collector ends). */
  readonly socket?: DumpSocket;
  /**
   * Also take each socket's final state from the kernel's destroy notifications
   * (default true; needs CAP_NET_ADMIN, without which polling goes on alone).
   */
  readonly destroyEvents?: boolean;
  /**
   * How long (ms, besides 10 cycles) a connection polling found gone waits for its destroy
   * notification before its file is closed without the final snapshot (default 2000;
   * see CloseReconcilerOptions.graceMs). Tests that count cycles set 0.
   */
  readonly closeGraceMs?: number;
  /** Opens the destroy-notification source (default `DestroyListener.open`; tests inject one, or a refusal). */
  readonly openDestroyListener?: OpenDestroySource;
  readonly log?: (line: string) => void;
}

const FAMILIES = [
  { family: AF_INET6, label: 'ipv6', request: buildInetDiagReqV2({ family: AF_INET6 }) },
  { family: AF_INET, label: 'ipv4', request: buildInetDiagReqV2({ family: AF_INET }) },
] as const;

/**
 * The polling loop (SPEC §1, §4): every interval, dump IPv6 then IPv4 sockets,
 * keep each cookie's previous snapshot, hand changed ones to the saver with the
 * dump's end time as timestamp, and close connections missing for a whole cycle.
 */
export class Collector {
  readonly cache: ConnectionCache<ConnectionState> = new ConnectionCache<ConnectionState>();
  readonly #opts: CollectorOptions;
  readonly #socket: DumpSocket;
  readonly #ownsSocket: boolean;
  readonly #logError: (line: string) => void;
  /** Entries changed during the dump in progress (reused array). */
  readonly #changed: Connection[] = [];
  readonly #isExcluded: ((payload: Buffer) => boolean) | undefined;
  /** Options of every record made (one object, not one per changed snapshot). */
  readonly #recordOptions: { anonymizer?: Anonymizer };
  /** For the cache's own copies, which never change: the record keeps the copy instead of making another. */
  readonly #cachedRecordOptions: { anonymizer?: Anonymizer; immutable: true };
  #count = 0;
  #lastCycleStart = 0;
  /** Rate accounting (bytes): totals of closed connections, of live ones (once a second), and what was last reported. */
  readonly #closed = new ByteTotals();
  readonly #live = new ByteTotals();
  /** The one walk of each dumped message, shared by the cache and the byte totals (walked at most once, only if needed). */
  readonly #walk = new AttributeRanges();
  #reportedSent = -1n;
  #reportedReceived = -1n;
  #lastRateSecond = 0;
  #accountThisCycle = false;
  /** Which connection closes when, polling and destroy notifications reconciled (close-reconciler.ts). */
  readonly #closes: CloseReconciler<Connection>;
  #destroyListener: DestroySource | undefined;
  /** Whether destroy notifications are being received. */
  destroyEventsActive = false;
  /** Cycles run. */
  cycles = 0;

  constructor(options: CollectorOptions) {
    this.#opts = options;
    this.#closes = new CloseReconciler<Connection>(this.cache, options.closeGraceMs === undefined ? {} : { graceMs: options.closeGraceMs });
    this.#ownsSocket = options.socket === undefined;
    this.#socket = options.socket ?? InetDiagSocket.open();
    this.#logError = rateLimitedLog(options.log ?? ((l) => console.error(l)));
    const rules = options.exclude;
    this.#isExcluded = rules ? (payload) => rules.excludes(payload) : undefined;
    this.#recordOptions = options.anonymizer ? { anonymizer: options.anonymizer } : {};
    this.#cachedRecordOptions = { ...this.#recordOptions, immutable: true };
  }

  readonly #onMessage = (payload: Buffer, datagram?: Buffer): void => {
    this.#count++;
    // A socket destroyed while its dump was in flight must not come back as new. Only
    // sockets the cache lacks can be such (destroyed ones leave it): the cookie's
    // bigint is made for those alone, not for every socket of every cycle.
    if (this.#closes.anyDestroyed && !this.cache.has(payload.readUInt32LE(IDIAG_COOKIE_LO_OFFSET), payload.readUInt32LE(IDIAG_COOKIE_HI_OFFSET)) && this.#closes.isDestroyed(cookieOf(payload))) return;
    let result: UpdateResult;
    try {
      result = this.cache.update(payload, this.#isExcluded, this.#walk, datagram);
    } catch (err) {
      this.#opts.metrics?.netlinkSkipped.labels('malformed').inc();
      this.#logError(`tcp-info: skipping a malformed inet_diag message: ${(err as Error).message}`);
      return;
    }
    if (result === UpdateResult.New || result === UpdateResult.Changed) this.#changed.push(this.cache.lastEntry!);
    if (this.#accountThisCycle && result !== UpdateResult.Excluded) this.#live.add(payload, this.#walk);
  };

  /** Runs one cycle: both dumps, the writes, the closes. Never throws for kernel errors (counted and logged). */
  async cycle(): Promise<void> {
    const m = this.#opts.metrics;
    const start = performance.now();
    if (this.#lastCycleStart > 0) m?.pollingInterval.observe((start - this.#lastCycleStart) / 1000);
    this.#lastCycleStart = start;
    const second = Math.floor(Date.now() / 1000);
    this.#accountThisCycle = second !== this.#lastRateSecond;
    this.#live.reset();
    let complete = true;
    for (const { label, request } of FAMILIES) {
      this.#changed.length = 0;
      this.#count = 0;
      const t0 = performance.now();
      try {
        const result = await this.#socket.dump(request, this.#onMessage);
        if (result.interrupted) {
          complete = false; // a socket may be missing: do not conclude it closed
          m?.errors.labels('dump_interrupted').inc();
        }
      } catch (err) {
        complete = false;
        m?.errors.labels(`netlink_${(err as { code?: string }).code ?? 'error'}`).inc();
        this.#logError(`tcp-info: ${label} dump failed: ${(err as Error).message}`);
      }
      // Every snapshot of a dump carries the time the dump finished (SPEC §1).
      const timestamp = GoTime.now();
      m?.syscallTime.labels(label).observe((performance.now() - t0) / 1000);
      m?.connectionCount.labels(label).observe(this.#count);
      for (const entry of this.#changed) this.#write(entry, timestamp);
    }
    this.#changed.length = 0;
    // Sockets a complete cycle did not see: closed now, or (with destroy notifications,
    // which bring the final snapshot) once their grace ran out.
    const now = Date.now();
    if (complete) this.#closeGone(this.#closes.pollingGone(this.cache.endCycle(), this.cycles, this.destroyEventsActive, now));
    this.#closeGone(this.#closes.endCycle(this.cycles, now));
    m?.cacheCount.observe(this.cache.size);
    if (this.#accountThisCycle) this.#reportRates(second);
    // The first cycle finds every connection at once: their first frames go out now,
    // not flushAfterMs later, or thousands of them would miss the 1 s durability budget.
    if (this.cycles === 0) this.#opts.saver.flushNow();
    else this.#opts.saver.tick();
    this.cycles++;
  }

  /** Closes connections polling found gone (no final snapshot to write). */
  #closeGone(gone: readonly Connection[]): void {
    if (gone.length === 0) return;
    const timestamp = GoTime.now();
    for (const entry of gone) {
      this.#closed.add(entry.payload);
      this.#opts.saver.close(entry, timestamp);
    }
  }

  #write(entry: Connection, timestamp: GoTime): void {
    // Destroyed while its dump was in flight: its final snapshot is already written.
    if (this.#closes.anyDestroyed && this.#closes.isDestroyed(entry.cookie)) return;
    const payload = entry.payload; // a copy, made once: the record keeps views of it
    const record = ArchivalRecord.fromMessage(payload, timestamp, this.#cachedRecordOptions);
    // fromMessage never excludes here (no rules given): exclusion was decided on first sight.
    if (record !== undefined) this.#opts.saver.write(entry, record, payload.subarray(0, SIZEOF_INET_DIAG_MSG));
  }

  #reportRates(second: number): void {
    const m = this.#opts.metrics;
    const sent = this.#closed.sent + this.#live.sent;
    const received = this.#closed.received + this.#live.received;
    if (this.#reportedSent >= 0n && m !== undefined) {
      // Counters of closed connections leave the live sum a cycle before they join
      // the closed sum, so a negative step is possible: skip it, as the original does.
      if (sent >= this.#reportedSent) m.sendRate.observe(8 * Number(sent - this.#reportedSent) / Math.max(1, second - this.#lastRateSecond));
      else m.errors.labels('totalSent < reportedSent').inc();
      if (received >= this.#reportedReceived) m.receiveRate.observe(8 * Number(received - this.#reportedReceived) / Math.max(1, second - this.#lastRateSecond));
      else m.errors.labels('totalReceived < reportedReceived').inc();
    }
    this.#reportedSent = sent;
    this.#reportedReceived = received;
    this.#lastRateSecond = second;
  }

  /**
   * Starts listening for destroy notifications; returns false (after one log
   * line) when the kernel refuses, e.g. without CAP_NET_ADMIN.
   */
  startDestroyEvents(): boolean {
    const m = this.#opts.metrics;
    try {
      const open = this.#opts.openDestroyListener ?? DestroyListener.open;
      this.#destroyListener = open((payload) => this.handleDestroyed(payload), {
        onOverrun: () => {
          m?.destroyOverruns.inc();
          this.#logError('tcp-info: destroy notifications overran the receive buffer; some final snapshots are lost (polling goes on)');
        },
        onError: (err) => this.#logError(`tcp-info: ${err.message}`),
      });
    } catch (err) {
      (this.#opts.log ?? ((l: string) => console.error(l)))(
        `tcp-info: destroy notifications unavailable (${(err as Error).message}; some kernels require CAP_NET_ADMIN): polling only, short connections and final counters may be missed`,
      );
      m?.destroyEventsEnabled.set(0);
      return false;
    }
    this.destroyEventsActive = true;
    m?.destroyEventsEnabled.set(1);
    return true;
  }

  /**
   * A destroy notification (an inet_diag payload with the socket's final
   * state): write it as the connection's last snapshot (always a change), close
   * its file and send the close event. A connection never seen by polling gets
   * its file here (header, then this snapshot), unless the exclusion rules drop it.
   */
  handleDestroyed(payload: Buffer): void {
    const m = this.#opts.metrics;
    m?.destroyMessages.inc();
    if (payload.length < SIZEOF_INET_DIAG_MSG) return;
    const decision = this.#closes.destroyed(cookieOf(payload), this.cycles);
    if (decision.action === 'ignore') {
      // Late: its file is closed already (polling stopped seeing it); a final
      // snapshot now would start the same UUID's file again.
      if (decision.reason === 'late') m?.destroyLate.inc();
      return;
    }
    const timestamp = GoTime.now();
    let target: ConnectionKey | undefined = decision.entry;
    if (target === undefined) {
      // Never seen by polling: its file starts with this snapshot, unless the rules drop it.
      if (this.#isExcluded?.(payload)) return;
      m?.destroyFirstSeen.inc();
      target = { lo: payload.readUInt32LE(IDIAG_COOKIE_LO_OFFSET), hi: payload.readUInt32LE(IDIAG_COOKIE_HI_OFFSET), state: undefined };
    }
    let record: ArchivalRecord | undefined;
    try {
      record = ArchivalRecord.fromMessage(payload, timestamp, this.#recordOptions);
    } catch (err) {
      m?.netlinkSkipped.labels('malformed_destroy').inc();
      this.#logError(`tcp-info: skipping a malformed destroy notification: ${(err as Error).message}`);
      // The connection has left the cache all the same: close its file, without a final snapshot.
      if (decision.entry !== undefined) this.#closeGone([decision.entry]);
      return;
    }
    if (record === undefined) return;
    this.#closed.add(payload);
    this.#opts.saver.write(target, record, payload.subarray(0, SIZEOF_INET_DIAG_MSG));
    this.#opts.saver.close(target, timestamp);
  }

  /**
   * Polls until `reps` cycles ran or `signal` aborts, then closes every
   * connection and waits for the files to be written.
   */
  async run(signal?: AbortSignal): Promise<void> {
    const reps = this.#opts.reps ?? 0;
    if ((this.#opts.destroyEvents ?? true) && this.#destroyListener === undefined) this.startDestroyEvents();
    if (this.#destroyListener !== undefined) {
      // The relay takes a few tens of milliseconds to join; connections closing
      // meanwhile would be seen by polling only. Never wait long for it.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#destroyListener.ready, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
    }
    const ticker = new Ticker(this.#opts.intervalMs ?? 10);
    try {
      while (!signal?.aborted && (reps === 0 || this.cycles < reps)) {
        await this.cycle();
        if (reps !== 0 && this.cycles >= reps) break;
        if (!(await ticker.wait(signal))) break;
      }
    } finally {
      if (this.#destroyListener !== undefined) {
        // Notifications already queued in the socket get one turn of the event loop.
        await new Promise((r) => setImmediate(r));
        this.#destroyListener.close();
      }
      this.#closeGone(this.#closes.drain());
      await this.#opts.saver.closeAll(GoTime.now(), [...this.cache.entries()].filter((e) => !e.excluded));
      if (this.#ownsSocket) this.#socket.close();
    }
  }
}
