import { AF_INET, AF_INET6, buildInetDiagReqV2, IDIAG_COOKIE_HI_OFFSET, IDIAG_COOKIE_LO_OFFSET, SIZEOF_INET_DIAG_MSG, type Anonymizer } from '@tcpinfo/inetdiag';
import { ArchivalRecord, DestroyListener, GoTime, InetDiagSocket, type ExclusionRules } from '@tcpinfo/netlink';
import { ConnectionCache, UpdateResult, type CacheEntry } from '@tcpinfo/cache';
import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { rateLimitedLog, type Saver } from '@tcpinfo/saver';
import { ByteTotals } from './byte-totals.js';
import { Ticker } from './ticker.js';

/** Options of a {@link Collector}. */
export interface CollectorOptions {
  readonly saver: Saver;
  readonly metrics?: TcpInfoMetrics;
  /** Connections these rules drop are never written (loopback & co. are always dropped). */
  readonly exclude?: ExclusionRules;
  /** Applied to the inet_diag_msg of every record written. */
  readonly anonymizer?: Anonymizer;
  /** Polling period (default 10 ms). */
  readonly intervalMs?: number;
  /** Cycles to run, 0 = until stopped (default 0). */
  readonly reps?: number;
  /** The sock_diag socket (default: a new one). */
  readonly socket?: InetDiagSocket;
  /**
   * Also take each socket's final state from the kernel's destroy notifications
   * (default true; needs CAP_NET_ADMIN, without which polling goes on alone).
   */
  readonly destroyEvents?: boolean;
  /** Opens the destroy-notification socket (default DestroyListener.open; tests inject a refusal). */
  readonly openDestroyListener?: typeof DestroyListener.open;
  readonly log?: (line: string) => void;
}

const FAMILIES = [
  { family: AF_INET6, label: 'ipv6', request: buildInetDiagReqV2({ family: AF_INET6 }) },
  { family: AF_INET, label: 'ipv4', request: buildInetDiagReqV2({ family: AF_INET }) },
] as const;

/** Cycles a connection that polling found gone waits for its destroy notification before its file is closed. */
const DESTROY_GRACE_CYCLES = 10;
/**
 * How long a connection closed by polling is remembered, so that a destroy
 * notification arriving later does not open it again as a new connection. A
 * socket in state CLOSE (reset, or both FINs done) is not dumped, yet the kernel
 * destroys it only when its process closes the descriptor, which can be much later.
 */
const CLOSED_MEMORY_MS = 60_000;
/** At most this many such connections are remembered (oldest forgotten first). */
const CLOSED_MEMORY_MAX = 200_000;

/** A cookie as a map key, from its two 32-bit halves (never through a float). */
function cookieKey(payload: Buffer): string {
  return `${payload.readUInt32LE(IDIAG_COOKIE_HI_OFFSET)}:${payload.readUInt32LE(IDIAG_COOKIE_LO_OFFSET)}`;
}

/**
 * The polling loop (SPEC §1, §4): every interval, dump IPv6 then IPv4 sockets,
 * keep each cookie's previous snapshot, hand changed ones to the saver with the
 * dump's end time as timestamp, and close connections missing for a whole cycle.
 */
export class Collector {
  readonly cache = new ConnectionCache();
  readonly #opts: CollectorOptions;
  readonly #socket: InetDiagSocket;
  readonly #ownsSocket: boolean;
  readonly #logError: (line: string) => void;
  /** Entries changed during the dump in progress (reused array). */
  readonly #changed: CacheEntry[] = [];
  readonly #isExcluded: ((payload: Buffer) => boolean) | undefined;
  /** Options of every record made (one object, not one per changed snapshot). */
  readonly #recordOptions: { anonymizer?: Anonymizer };
  #count = 0;
  #lastCycleStart = 0;
  /** Rate accounting (bytes): totals of closed connections, of live ones (once a second), and what was last reported. */
  readonly #closed = new ByteTotals();
  readonly #live = new ByteTotals();
  #reportedSent = -1n;
  #reportedReceived = -1n;
  #lastRateSecond = 0;
  #accountThisCycle = false;
  /** Cookies ("hi:lo") whose destroy notification was handled, with the cycle it came in: polling must not reopen them. */
  readonly #destroyed = new Map<string, number>();
  /** Connections polling found gone, waiting (a few cycles) for their destroy notification. */
  readonly #awaitingDestroy = new Map<string, { entry: CacheEntry; cycle: number }>();
  /** Connections whose grace expired and polling closed: cookie key → when (ms), oldest first. */
  readonly #closedByPolling = new Map<string, number>();
  #destroyListener: DestroyListener | undefined;
  /** Whether destroy notifications are being received. */
  destroyEventsActive = false;
  /** Cycles run. */
  cycles = 0;

  constructor(options: CollectorOptions) {
    this.#opts = options;
    this.#ownsSocket = options.socket === undefined;
    this.#socket = options.socket ?? InetDiagSocket.open();
    this.#logError = rateLimitedLog(options.log ?? ((l) => console.error(l)));
    const rules = options.exclude;
    this.#isExcluded = rules ? (payload) => rules.excludes(payload) : undefined;
    this.#recordOptions = options.anonymizer ? { anonymizer: options.anonymizer } : {};
  }

  readonly #onMessage = (payload: Buffer): void => {
    this.#count++;
    // A socket destroyed while its dump was in flight must not come back as new. Only
    // sockets the cache lacks can be such (destroyed ones leave it): the key string is
    // built for those alone, not for every socket of every cycle.
    if (this.#destroyed.size > 0 && !this.cache.has(payload.readUInt32LE(IDIAG_COOKIE_LO_OFFSET), payload.readUInt32LE(IDIAG_COOKIE_HI_OFFSET)) && this.#destroyed.has(cookieKey(payload))) return;
    let result: UpdateResult;
    try {
      result = this.cache.update(payload, this.#isExcluded);
    } catch (err) {
      this.#opts.metrics?.netlinkSkipped.labels('malformed').inc();
      this.#logError(`tcp-info: skipping a malformed inet_diag message: ${(err as Error).message}`);
      return;
    }
    if (result === UpdateResult.New || result === UpdateResult.Changed) this.#changed.push(this.cache.lastEntry!);
    if (this.#accountThisCycle && result !== UpdateResult.Excluded) this.#live.add(payload);
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
    if (complete) {
      const gone = this.cache.endCycle();
      if (this.destroyEventsActive) {
        // The kernel's notification of a socket polling no longer sees may still be
        // on its way (bursts): give it a few cycles to bring the final snapshot.
        for (const entry of gone) this.#awaitingDestroy.set(`${entry.hi}:${entry.lo}`, { entry, cycle: this.cycles });
      } else {
        this.#closeGone(gone);
      }
    }
    if (this.#awaitingDestroy.size > 0) {
      const expired: CacheEntry[] = [];
      for (const [key, { entry, cycle }] of this.#awaitingDestroy) {
        if (this.cycles - cycle < DESTROY_GRACE_CYCLES) continue;
        this.#awaitingDestroy.delete(key);
        expired.push(entry);
        this.#closedByPolling.set(key, Date.now());
      }
      this.#closeGone(expired);
    }
    this.#forgetClosedByPolling();
    for (const [key, cycle] of this.#destroyed) if (this.cycles - cycle > 2) this.#destroyed.delete(key);
    m?.cacheCount.observe(this.cache.size);
    if (this.#accountThisCycle) this.#reportRates(second);
    // The first cycle finds every connection at once: their first frames go out now,
    // not flushAfterMs later, or thousands of them would miss the 1 s durability budget.
    if (this.cycles === 0) this.#opts.saver.flushNow();
    else this.#opts.saver.tick();
    this.cycles++;
  }

  /** Forgets connections closed by polling longer ago than CLOSED_MEMORY_MS, or beyond CLOSED_MEMORY_MAX. */
  #forgetClosedByPolling(): void {
    if (this.#closedByPolling.size === 0) return;
    const before = Date.now() - CLOSED_MEMORY_MS;
    for (const [key, at] of this.#closedByPolling) {
      if (at > before && this.#closedByPolling.size <= CLOSED_MEMORY_MAX) break;
      this.#closedByPolling.delete(key);
    }
  }

  /** Closes connections polling found gone. */
  #closeGone(gone: readonly CacheEntry[]): void {
    if (gone.length === 0) return;
    const timestamp = GoTime.now();
    for (const entry of gone) {
      this.#closed.add(entry.payload);
      this.#opts.saver.close(entry, timestamp);
    }
  }

  #write(entry: CacheEntry, timestamp: GoTime): void {
    // Destroyed while its dump was in flight: its final snapshot is already written.
    if (this.#destroyed.size > 0 && this.#destroyed.has(`${entry.hi}:${entry.lo}`)) return;
    const record = ArchivalRecord.fromMessage(entry.payload, timestamp, this.#recordOptions);
    // fromMessage never excludes here (no rules given): exclusion was decided on first sight.
    if (record !== undefined) this.#opts.saver.write(entry, record, entry.payload.subarray(0, SIZEOF_INET_DIAG_MSG));
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
    const key = cookieKey(payload);
    if (this.#destroyed.has(key)) return;
    if (this.#closedByPolling.delete(key)) {
      // Its file is closed already (polling stopped seeing it): a late final
      // snapshot must not start the same UUID's file again.
      m?.destroyLate.inc();
      return;
    }
    this.#destroyed.set(key, this.cycles);
    const lo = payload.readUInt32LE(IDIAG_COOKIE_LO_OFFSET);
    const hi = payload.readUInt32LE(IDIAG_COOKIE_HI_OFFSET);
    const cookie = (BigInt(hi) << 32n) | BigInt(lo);
    const timestamp = GoTime.now();
    const waiting = this.#awaitingDestroy.get(key);
    if (waiting !== undefined) this.#awaitingDestroy.delete(key);
    const entry = waiting?.entry ?? this.cache.delete(cookie);
    if (entry?.excluded) return;
    if (entry === undefined) {
      if (this.#isExcluded?.(payload)) return;
      m?.destroyFirstSeen.inc();
    }
    const target = entry ?? { lo, hi, state: undefined as unknown };
    let record: ArchivalRecord | undefined;
    try {
      record = ArchivalRecord.fromMessage(payload, timestamp, this.#recordOptions);
    } catch (err) {
      m?.netlinkSkipped.labels('malformed_destroy').inc();
      this.#logError(`tcp-info: skipping a malformed destroy notification: ${(err as Error).message}`);
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
      this.#closeGone([...this.#awaitingDestroy.values()].map((w) => w.entry));
      this.#awaitingDestroy.clear();
      await this.#opts.saver.closeAll(GoTime.now(), [...this.cache.entries()].filter((e) => !e.excluded));
      if (this.#ownsSocket) this.#socket.close();
    }
  }
}
