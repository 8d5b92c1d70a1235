/**
 * Close reconciliation: two witnesses say a socket has closed, and they race.
 * Polling finds it missing from a complete cycle (it carries no final snapshot);
 * the kernel's destroy notification brings the final snapshot, but may come
 * before the dump that still lists the socket, or after polling gave up waiting.
 * This unit decides, from those inputs alone, which connection is closed when and
 * which snapshots must be dropped so that no file is written after its close or
 * started twice. It does no I/O and reads no clock: `cycle` and `now` are passed in.
 *
 * Keys are cookies as bigint, one representation throughout. Nothing here runs
 * per socket per cycle: only for sockets that closed or that the cache lacks.
 */

/** Returned when there is nothing to close (most cycles): no array allocated per cycle. */
const NONE: readonly never[] = Object.freeze([]);

/** What the reconciler needs of a connection (a cache entry fits). */
export interface ReconciledConnection {
  /** The socket cookie. */
  readonly cookie: bigint;
  /** The exclusion rules drop it: it has no file. */
  readonly excluded: boolean;
}

/** Where the connections polling still sees live (the cache): a destroyed one is taken out. */
export interface LiveConnections<E> {
  /** Removes the connection with this cookie and returns it, if present. */
  delete(cookie: bigint): E | undefined;
}

/** What to do about one destroy notification. */
export type DestroyDecision<E> =
  /**
   * Write the notification's snapshot as the connection's last record, then close
   * its file. `entry` undefined: polling never saw the socket (the caller applies
   * the exclusion rules and starts its file with this snapshot).
   */
  | { readonly action: 'final'; readonly entry: E | undefined }
  /**
   * Nothing to write: `duplicate` (already handled), `late` (polling closed the file
   * already; a new file would reuse the UUID), `excluded` (the rules drop it).
   */
  | { readonly action: 'ignore'; readonly reason: 'duplicate' | 'late' | 'excluded' };

/** Options of a {@link CloseReconciler}; the defaults are the daemon's. */
export interface CloseReconcilerOptions {
  /**
   * Cycles a connection polling found gone waits for its destroy notification
   * before it is closed without one (default 10): the notification may still be
   * queued behind a dump, more so in bursts. Counted in cycles because the race is
   * between dumps and the notification socket, not against the clock.
   */
  readonly graceCycles?: number;
  /**
   * And at least this many milliseconds (default 2000): the notifications come
   * through another process (the relay), which a loaded machine can leave
   * unscheduled for longer than ten cycles of the polling thread; a connection
   * closed without its notification loses its final counters. The wait costs
   * nothing else: notifications are written the moment they come.
   */
  readonly graceMs?: number;
  /**
   * Cycles after its destroy notification during which snapshots of a socket from
   * dumps are dropped (default 2): a dump in flight when it came may still list it.
   */
  readonly destroyedMemoryCycles?: number;
  /**
   * How long (ms) a connection closed by polling is remembered so that a late
   * notification does not start its file again (default 60 s). A socket in state
   * CLOSE (reset, or both FINs done) is not dumped, yet the kernel destroys it only
   * when its process closes the descriptor: a matter of the process's time, not of
   * cycles, hence milliseconds.
   */
  readonly closedMemoryMs?: number;
  /** At most this many such connections are remembered, oldest forgotten first (default 200,000). */
  readonly closedMemoryMax?: number;
}

/**
 * The state of close reconciliation, driven by the collector's cycle. All three
 * memories are keyed by the cookie (bigint); each remembers in the unit of what it
 * waits for: cycles for races with dumps, milliseconds for processes.
 */
export class CloseReconciler<E extends ReconciledConnection> {
  readonly #live: LiveConnections<E>;
  readonly #graceCycles: number;
  readonly #graceMs: number;
  readonly #destroyedMemoryCycles: number;
  readonly #closedMemoryMs: number;
  readonly #closedMemoryMax: number;
  /** Cookies whose destroy notification was handled → the cycle it came in. */
  readonly #destroyed = new Map<bigint, number>();
  /** Connections polling found gone, waiting for their notification → the cycle and time (ms) they were found gone, oldest first. */
  readonly #awaiting = new Map<bigint, { readonly entry: E; readonly cycle: number; readonly goneAt: number }>();
  /** Connections polling closed without a notification → when (ms), oldest first. */
  readonly #closedByPolling = new Map<bigint, number>();

  constructor(live: LiveConnections<E>, options: CloseReconcilerOptions = {}) {
    this.#live = live;
    this.#graceCycles = options.graceCycles ?? 10;
    this.#graceMs = options.graceMs ?? 2000;
    this.#destroyedMemoryCycles = options.destroyedMemoryCycles ?? 2;
    this.#closedMemoryMs = options.closedMemoryMs ?? 60_000;
    this.#closedMemoryMax = options.closedMemoryMax ?? 200_000;
  }

  /** Whether any destroy notification is remembered (lets the hot path skip {@link isDestroyed}). */
  get anyDestroyed(): boolean {
    return this.#destroyed.size > 0;
  }

  /** Connections waiting for their notification. */
  get awaiting(): number {
    return this.#awaiting.size;
  }

  /** Whether a dump's snapshot of this socket must be dropped: its notification closed it already. */
  isDestroyed(cookie: bigint): boolean {
    return this.#destroyed.has(cookie);
  }

  /**
   * A complete cycle did not see these connections. With destroy notifications
   * (`waitForNotification`) they wait for theirs and nothing is returned; without,
   * they are returned, to be closed now.
   */
  pollingGone(gone: readonly E[], cycle: number, waitForNotification: boolean, now: number): readonly E[] {
    if (!waitForNotification) return gone;
    for (const entry of gone) {
      const cookie = entry.cookie;
      // Re-inserted, not updated in place: the map stays in order of `cycle` (see endCycle).
      this.#awaiting.delete(cookie);
      this.#awaiting.set(cookie, { entry, cycle, goneAt: now });
    }
    return NONE;
  }

  /**
   * A destroy notification for `cookie` arrived during `cycle`: decides what to
   * write. A `final` decision has taken the connection out of the live set and out
   * of the waiting list, and its later dump snapshots will be dropped.
   */
  destroyed(cookie: bigint, cycle: number): DestroyDecision<E> {
    if (this.#destroyed.has(cookie)) return { action: 'ignore', reason: 'duplicate' };
    if (this.#closedByPolling.delete(cookie)) return { action: 'ignore', reason: 'late' };
    this.#destroyed.set(cookie, cycle);
    const waiting = this.#awaiting.get(cookie);
    let entry: E | undefined;
    if (waiting !== undefined) {
      this.#awaiting.delete(cookie);
      entry = waiting.entry;
    } else {
      entry = this.#live.delete(cookie);
    }
    if (entry?.excluded) return { action: 'ignore', reason: 'excluded' };
    return { action: 'final', entry };
  }

  /**
   * Ends `cycle` (at wall time `now`, ms): returns the connections whose grace ran
   * out, to be closed now without a final snapshot (they are remembered as closed
   * by polling), and forgets what is too old to matter.
   */
  endCycle(cycle: number, now: number): readonly E[] {
    let expired: E[] | undefined;
    // Oldest first (insertion order, so in order of both cycle and time): stop at the
    // first one still within its grace, in cycles or in milliseconds.
    for (const [cookie, { entry, cycle: goneCycle, goneAt }] of this.#awaiting) {
      if (cycle - goneCycle < this.#graceCycles || now - goneAt < this.#graceMs) break;
      this.#awaiting.delete(cookie);
      (expired ??= []).push(entry);
      this.#closedByPolling.set(cookie, now);
    }
    if (this.#closedByPolling.size > 0) {
      const before = now - this.#closedMemoryMs;
      for (const [cookie, at] of this.#closedByPolling) {
        if (at > before && this.#closedByPolling.size <= this.#closedMemoryMax) break;
        this.#closedByPolling.delete(cookie);
      }
    }
    // In order of arrival too (a cookie is added once): stop at the first one still remembered.
    for (const [cookie, at] of this.#destroyed) {
      if (cycle - at <= this.#destroyedMemoryCycles) break;
      this.#destroyed.delete(cookie);
    }
    return expired ?? NONE;
  }

  /** At shutdown: every connection still waiting for its notification, to be closed now. */
  drain(): E[] {
    const all = [...this.#awaiting.values()].map((w) => w.entry);
    this.#awaiting.clear();
    return all;
  }
}
