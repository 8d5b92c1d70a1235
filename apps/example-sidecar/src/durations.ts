/**
 * Remembers when each open connection started, to print its duration at close.
 * Bounded: a close missed while disconnected would otherwise keep its entry
 * forever; past `maxEntries` the oldest entry is forgotten (its close then
 * prints an unknown duration).
 */
export class ConnectionStarts {
  readonly #starts = new Map<string, bigint>();

  constructor(
    /** Most connections remembered at once. */
    readonly maxEntries = 100_000,
  ) {}

  /** Connections remembered now. */
  get size(): number {
    return this.#starts.size;
  }

  /** Notes that `uuid` opened at `unixNanos`. */
  opened(uuid: string, unixNanos: bigint): void {
    this.#starts.delete(uuid); // re-insert at the end: Map order is the eviction order
    this.#starts.set(uuid, unixNanos);
    if (this.#starts.size > this.maxEntries) {
      const oldest = this.#starts.keys().next().value as string;
      this.#starts.delete(oldest);
    }
  }

  /** The duration in nanoseconds of `uuid`, closed at `unixNanos`; undefined when its open was not seen. */
  closed(uuid: string, unixNanos: bigint): bigint | undefined {
    const start = this.#starts.get(uuid);
    if (start === undefined) return undefined;
    this.#starts.delete(uuid);
    return unixNanos - start;
  }
}

/** Nanoseconds as seconds with millisecond precision ("3.444 s"), exact for any length. */
export function formatDuration(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  const millis = abs / 1_000_000n;
  return `${sign}${millis / 1000n}.${(millis % 1000n).toString().padStart(3, '0')} s`;
}
