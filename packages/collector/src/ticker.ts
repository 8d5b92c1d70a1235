import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A ticker like Go's time.Ticker: ticks every `intervalMs` on a fixed grid; a
 * slow cycle delays the next tick (which then comes at once) but never queues
 * a backlog of ticks.
 */
export class Ticker {
  #next: number;
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#next = now() + intervalMs;
  }

  /** Waits for the next tick (resolves at once when it is overdue); false if aborted. */
  async wait(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    const now = this.now();
    if (this.#next <= now) {
      // Overdue: tick now and restart the grid from here (no backlog).
      this.#next = now + this.intervalMs;
      return true;
    }
    const delay = this.#next - now;
    this.#next += this.intervalMs;
    try {
      await sleep(delay, undefined, signal ? { signal } : undefined);
    } catch {
      return false;
    }
    return true;
  }
}
