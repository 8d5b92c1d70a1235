/**
 * An unbounded FIFO of values consumed by one async iterator; the owner
 * watches `length` for back-pressure. `end()` lets the consumer drain what is
 * queued, then finish.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #ended = false;
  #finished = false;
  #waiting: ((result: IteratorResult<T>) => void) | undefined;

  constructor(
    /** Called once when the consumer stops (break, return, or the end was reached). */
    private readonly onDone: () => void,
    /** Called after the consumer took a value (to lift back-pressure). */
    private readonly onTake: () => void,
  ) {}

  /** Values waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Queues a value (or hands it straight to a waiting consumer). */
  push(value: T): void {
    if (this.#ended) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ value, done: false });
      return;
    }
    this.#items.push(value);
  }

  /** No more values will come. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.length === 0) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.#items = [];
    this.#head = 0;
    this.onDone();
    waiting?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.length > 0) {
      const value = this.#items[this.#head++] as T;
      // Compact now and then instead of shift()ing (O(n) per value).
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      this.onTake();
      if (this.#ended && this.length === 0) this.#finish();
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.#ended = true;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
