/**
 * A growable column of float64 values where NaN means "no value" (a gap in a
 * chart). Charts need a few numbers per snapshot, not the snapshot: eight
 * bytes a value, against hundreds for a decoded snapshot.
 */
export class Float64Column {
  // Starts small (a day's directory holds many short connections) and doubles.
  #buffer = new Float64Array(16);
  #length = 0;
  #hasValue = false;

  /** Appends a value; NaN for none. */
  push(value: number): void {
    if (this.#length === this.#buffer.length) {
      const grown = new Float64Array(this.#buffer.length * 2);
      grown.set(this.#buffer);
      this.#buffer = grown;
    }
    this.#buffer[this.#length++] = value;
    if (!Number.isNaN(value)) this.#hasValue = true;
  }

  get length(): number {
    return this.#length;
  }

  /** True when any value is a number (not NaN). */
  get hasValue(): boolean {
    return this.#hasValue;
  }

  /**
   * The values, trimmed to their length: the doubling slack is given back
   * once the column is complete. Pushing afterwards grows a new copy.
   */
  values(): Float64Array {
    if (this.#buffer.length !== this.#length) this.#buffer = this.#buffer.slice(0, this.#length);
    return this.#buffer;
  }
}
