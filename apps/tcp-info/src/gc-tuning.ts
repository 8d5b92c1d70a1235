import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flag the daemon's process runs with (see {@link tuneGarbageCollector}).
 * Every option here is process-wide, so it is set by the entry point (bin.ts),
 * never by a library.
 */
export const DAEMON_V8_FLAGS = ['--no-incremental-marking'] as const;

/**
 * Tunes V8's garbage collector for a process that polls every 10 ms with a
 * small, steady heap.
 *
 * The netlink binding hands each received datagram over in a fresh 32 KiB
 * external buffer (1–6 MB a cycle), and the saver keeps each connection's
 * lines for up to a second. With incremental marking on, V8 starts a full
 * marking "via task" long before the old generation reaches its limit (at
 * 11 MB of a 35 MB limit, `--trace-incremental-marking`): one every ~12 busy
 * cycles, and its concurrent marking cost 2.2 ms per busy cycle and 4.3 ms per
 * idle cycle on V8's helper threads (quiet machine), more than the write
 * thread. Off, a full collection runs only when the old generation reaches its
 * allocation limit, atomically (marked in parallel): none in 400 busy cycles,
 * and the threads beside the polling one fell to 0.6 and 0.1 ms per cycle
 * (`pnpm bench`, daemon-live, byThread). The price is a pause of a few
 * milliseconds when one does run (the heap is tens of MB) and ~50 MB more RSS
 * at 10,000 connections (211–214 MB against 163), within the 300 MB budget.
 *
 * V8 reads the flag at each collection, so setting it at start-up takes effect
 * (Node 20 and 24; `gc-tuning.test.ts` checks it with `--trace-gc`).
 */
export function tuneGarbageCollector(): void {
  for (const flag of DAEMON_V8_FLAGS) setFlagsFromString(flag);
}
