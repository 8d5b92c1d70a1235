import { putAscii } from './put-text.js';

/** Where a {@link ByteOutput} hands its chunks: a Writable, or a collector (write returns true, never emits). */
export interface ByteSink {
  write(chunk: Buffer): boolean;
  once(event: 'drain' | 'error', listener: (e?: Error) => void): unknown;
  off(event: 'drain' | 'error', listener: (e?: Error) => void): unknown;
}

/** Output is handed to the stream in chunks of about this size (one write call each). */
const CHUNK_BYTES = 64 * 1024;

/**
 * The chunk before the first write and after each hand-over: a fresh chunk
 * is taken at the next {@link ByteOutput.reserve}, not at the hand-over, so
 * an output's last hand-over takes none (tcpinfo-csv makes two outputs per
 * input file: on 1,000 small files, 256 KiB of unused chunks per file).
 */
const NO_CHUNK = Buffer.alloc(0);

/**
 * Text written as bytes into a chunk, so a CSV row costs no string building;
 * full chunks go to the stream whole. Hot loops take {@link buffer} and
 * {@link position} into locals after {@link reserve}, write with the
 * put-text.ts functions and store the position back. A chunk is never reused
 * after it is written (the stream may still hold it): the next reserve
 * after a hand-over takes a fresh one.
 */
export class ByteOutput {
  /** The current chunk; valid until the next {@link reserve} or flush. */
  buffer: Buffer = NO_CHUNK;
  /** Next free offset in {@link buffer}. */
  position = 0;
  /** The stream returned false from write: wait for 'drain' at the next {@link flushIfFull}. */
  #mustWait = false;

  constructor(private readonly out: ByteSink) {}

  /**
   * Makes room for `n` more bytes: when the chunk cannot hold them, it goes to
   * the stream now (without waiting; {@link flushIfFull} waits for 'drain')
   * and a fresh chunk starts.
   */
  reserve(n: number): void {
    if (this.position + n <= this.buffer.length) return;
    this.#handOver();
    if (n > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(n, 2 * CHUNK_BYTES));
  }

  /** One byte (reserves its room). */
  byte(code: number): void {
    this.reserve(1);
    this.buffer[this.position++] = code;
  }

  /** An ASCII string (reserves its room). */
  ascii(text: string): void {
    this.reserve(text.length);
    this.position = putAscii(this.buffer, this.position, text);
  }

  /** Any string as UTF-8 (reserves its room). */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.position += this.buffer.write(text, this.position, 'utf8');
  }

  /** Bytes waiting in the current chunk. */
  get pending(): number {
    return this.position;
  }

  /** Hands the chunk to the stream once it holds {@link CHUNK_BYTES}, then waits for 'drain' if the stream asked to. */
  async flushIfFull(): Promise<void> {
    if (this.position >= CHUNK_BYTES) this.#handOver();
    if (this.#mustWait) {
      this.#mustWait = false;
      await drained(this.out);
    }
  }

  /** Hands whatever is buffered to the stream (and waits for 'drain' if asked to). */
  async flush(): Promise<void> {
    this.#handOver();
    await this.flushIfFull();
  }

  #handOver(): void {
    if (this.position === 0) return;
    const chunk = this.buffer.subarray(0, this.position);
    this.buffer = NO_CHUNK;
    this.position = 0;
    if (!this.out.write(chunk)) this.#mustWait = true;
  }
}

/** Resolves at the sink's next 'drain', rejects at an 'error' before it (the one such wait: tcpinfo-csv's writers use it too). */
export function drained(out: ByteSink): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e?: Error) => {
      out.off('drain', onDrain);
      reject(e);
    };
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    out.once('error', onError);
    out.once('drain', onDrain);
  });
}
