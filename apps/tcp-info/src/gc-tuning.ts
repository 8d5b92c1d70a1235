import { setFlagsFromString } from 'node:v8';

/** One V8 option of the daemon's process, and the first V8 major version it is set on. */
export interface DaemonV8Flag {
  readonly flag: string;
  /**
   * V8 prints "unrecognized flag" for an option it does not know, and the
   * option is only needed where the collector behaves as described.
   */
  readonly sinceV8Major: number;
}

/**
 * The V8 options the daemon's process runs with (see {@link tuneGarbageCollector}).
 * Every option here is process-wide, so it is set by the entry point (bin.ts),
 * never by a library.
 *
 * `--no-incremental-marking`: the netlink binding hands each received
 * datagram over in a fresh 32 KiB external buffer (1–6 MB a cycle), and the
 * saver keeps each connection's lines for up to a second. With incremental
 * marking on, V8 starts a full marking "via task" long before the old
 * generation reaches its limit (at 11 MB of a 35 MB limit,
 * `--trace-incremental-marking`): one every ~12 busy cycles, and its
 * concurrent marking cost 2.2 ms per busy cycle and 4.3 ms per idle cycle on
 * V8's helper threads (quiet machine, Node 20), more than the write thread.
 * Off, a full collection runs only when the old generation reaches its
 * allocation limit, atomically (marked in parallel): none in 400 busy cycles,
 * and the threads beside the polling one fell to 0.6 and 0.1 ms per cycle
 * (`pnpm bench`, daemon-live, byThread). The price is a pause of a few
 * milliseconds when one does run (the heap is tens of MB) and ~50 MB more RSS
 * at 10,000 connections, within the 300 MB budget.
 *
 * `--heap-growing-percent=200`: after a full collection the old generation
 * may grow to 3 times what survived before the next one. The saver keeps each
 * connection's lines for up to 800 ms, so they outlive two scavenges (one
 * every ~25 busy cycles, brought on by the datagrams' external memory) and die
 * in the old generation: with V8's own factor, at 2,000 busy sockets, a full
 * collection came every ~140 cycles (12 MB survived, the next at 17–29 MB),
 * 7 in 1,000 cycles, 15–50 ms each, on the polling thread and V8's helpers.
 * With this factor: 2 in 1,000 cycles (`BENCH_GC_TRACE`, Node 20, quiet);
 * RSS 219 MB against 196–226, none at 10,000 idle sockets either way. A fixed
 * factor, not V8's, which also depends on how fast the last collections ran.
 *
 * `--scavenger-max-new-space-capacity-mb=4` (V8 13, Node 24): the datagrams'
 * external memory is freed only by a collection. Node 20's V8 answers its
 * external-memory limit with a scavenge. Node 24's starts incremental marking
 * there, and with incremental marking off a full atomic Mark-Compact instead:
 * at 10,000 idle sockets one every ~12 cycles, 22–33 ms each (31 in 400
 * cycles, `BENCH_GC_TRACE`), 3 ms per cycle on the helper threads besides.
 * A young generation of at most 4 MB is scavenged every few cycles, which
 * frees the dead datagrams before that limit: no such Mark-Compact in 400
 * idle cycles, the threads beside the polling one down from 3.1 to 0.1 ms per
 * idle cycle, RSS at 10,000 connections 208–239 MB against 260–271. Against
 * the bare dump, three runs with it (two quiet of 1,000 cycles, one at load
 * 1.5 of 400): idle 1.00–1.31×, busy 1.36–1.50×. It is read at each
 * scavenge, so setting it at start-up takes effect (unlike
 * `--max-semi-space-size`, read once when the heap is made). Node 22 (V8
 * 12.4) knows the option but does not need it: the churn fixture of
 * gc-tuning.test.ts, with incremental marking off and no cap, brought no
 * Mark-Compact there in 3 runs (as on Node 20; 1 in 3 runs with a tenth of the
 * JS garbage, as Node 20 also does now and then), so it starts at V8 13.
 */
export const DAEMON_V8_FLAGS: readonly DaemonV8Flag[] = [
  { flag: '--no-incremental-marking', sinceV8Major: 0 },
  { flag: '--heap-growing-percent=200', sinceV8Major: 0 },
  { flag: '--scavenger-max-new-space-capacity-mb=4', sinceV8Major: 13 },
];

/** The options of {@link DAEMON_V8_FLAGS} for a V8 version (`process.versions.v8`, e.g. "13.6.233.10-node.18"). */
export function daemonV8Flags(v8Version: string): string[] {
  const major = Number.parseInt(v8Version, 10);
  return DAEMON_V8_FLAGS.filter((f) => Number.isFinite(major) && major >= f.sinceV8Major).map((f) => f.flag);
}

/**
 * Tunes V8's garbage collector for a process that polls every 10 ms with a
 * small, steady heap: sets {@link daemonV8Flags} of this V8.
 *
 * V8 reads these options at each collection, so setting them at start-up
 * takes effect (Node 20 and 24; `gc-tuning.test.ts` checks both with `--trace-gc`).
 */
export function tuneGarbageCollector(): void {
  for (const flag of daemonV8Flags(process.versions.v8)) setFlagsFromString(flag);
}
