/** Capacity of a column's first buffer: a day's directory holds many short connections. */
const INITIAL_CAPACITY = 16;

/**
 * A growable column of float64 values where NaN means "no value" (a gap in a
 * chart). Charts need a few numbers per snapshot, not the snapshot: eight
 * bytes a value, against hundreds for a decoded snapshot.
 */
export class Float64Column {
  // Allocated at the first value: a series the kernel never fills (BBR bw on
  // cubic, rcv_wnd before Linux 6.x) costs nothing however long the connection.
  #buffer: Float64Array | undefined;
  #length = 0;

  /** Appends a value; NaN for none. */
  push(value: number): void {
    if (this.#buffer === undefined) {
      if (Number.isNaN(value)) {
        this.#length++;
        return;
      }
      this.#buffer = new Float64Array(Math.max(INITIAL_CAPACITY, 2 * this.#length)).fill(Number.NaN, 0, this.#length);
    } else if (this.#length === this.#buffer.length) {
      const grown = new Float64Array(2 * this.#buffer.length);
      grown.set(this.#buffer);
      this.#buffer = grown;
    }
    this.#buffer[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  /** True when any value is a number (not NaN). */
  get hasValue(): boolean {
    return this.#buffer !== undefined;
  }

  /** Gives back the doubling slack, once the column is complete (pushing afterwards grows a new copy). */
  trim(): void {
    if (this.#buffer !== undefined && this.#buffer.length !== this.#length) this.#buffer = this.#buffer.slice(0, this.#length);
  }

  /** The values, exactly `length` of them (trimmed). */
  values(): Float64Array {
    if (this.#buffer === undefined) return new Float64Array(this.#length).fill(Number.NaN);
    this.trim();
    return this.#buffer!;
  }
}
