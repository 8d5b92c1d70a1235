/**
 * The rate of a byte counter between consecutive snapshots, in Mbit/s, placed
 * on the later one and folded one snapshot at a time (only the previous
 * snapshot's time and counter are kept). It is the average over the interval:
 * the daemon writes only snapshots that changed, so a long gap gives the
 * average over the whole gap. NaN (a gap) for the first snapshot, a missing
 * counter (now or before), a non-increasing time, or a counter that went backwards.
 */
export class CounterRate {
  #prevSeconds = Number.NaN;
  #prevCounter: bigint | undefined;

  /** The rate at this snapshot: `seconds` since the first, `counter` in bytes. */
  next(seconds: number, counter: bigint | undefined): number {
    const prev = this.#prevCounter;
    const dt = seconds - this.#prevSeconds;
    this.#prevSeconds = seconds;
    this.#prevCounter = counter;
    if (counter === undefined || prev === undefined || !(dt > 0) || counter < prev) return Number.NaN;
    return (Number(counter - prev) * 8) / dt / 1e6;
  }
}

/** {@link CounterRate} over whole arrays (null for gaps). */
export function counterRate(seconds: readonly number[], counter: readonly (bigint | undefined)[]): (number | null)[] {
  const rate = new CounterRate();
  return counter.map((c, i) => {
    const v = rate.next(seconds[i]!, c);
    return Number.isNaN(v) ? null : v;
  });
}
