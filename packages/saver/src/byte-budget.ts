import type { TcpInfoMetrics } from '@tcpinfo/metrics';

/**
 * The bound on compressed bytes waiting for the disk (`maxPendingBytes`): a
 * frame that does not fit is refused (the caller drops it and counts its
 * records), so a dead disk costs bounded memory and polling never waits.
 * Mirrors the total in `tcpinfo_pending_write_bytes`.
 */
export class ByteBudget {
  #pending = 0;

  constructor(
    private readonly max: number,
    private readonly metrics: TcpInfoMetrics | undefined,
  ) {}

  /** Compressed bytes not yet on disk. */
  get pending(): number {
    return this.#pending;
  }

  /** Takes `bytes` from the budget; false (nothing taken) when they do not fit. */
  reserve(bytes: number): boolean {
    if (this.#pending + bytes > this.max) return false;
    this.#pending += bytes;
    this.metrics?.pendingWriteBytes.set(this.#pending);
    return true;
  }

  /** Gives back `bytes` (written, or dropped after being reserved). */
  release(bytes: number): void {
    this.#pending -= bytes;
    this.metrics?.pendingWriteBytes.set(this.#pending);
  }
}
