import { ASCII } from '@tcpinfo/go-format';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { TcpInfoReadError } from './errors.js';
import { newZstdDecompressor } from './zstd-decompressor.js';

/** What the readers accept: a file path, a readable stream, or bytes. */
export type Input = string | Readable | Uint8Array;

/** Options of the readers. */
export interface ReadOptions {
  /** Name used in error messages (default: the path, `<stdin>` for process.stdin, else `<stream>` / `<buffer>`). */
  readonly sourceName?: string;
  /** Longest line accepted, in bytes (default 64 MiB; the original's lines are a few KB). */
  readonly maxLineLength?: number;
  /** Called with the number of input bytes consumed so far (compressed bytes for .zst), for progress bars. */
  readonly onProgress?: (bytesRead: number) => void;
}

const { NEWLINE, CARRIAGE_RETURN } = ASCII;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Bytes handed to the decompressor at a time when the input is a Uint8Array: output then flows as it is decoded. */
const BUFFER_FEED_BYTES = 64 * 1024;
/**
 * Bytes read from a file at a time. Node's default, 64 KiB, cost 6-18% more CPU
 * per snapshot on the parse-rates bench (interleaved runs, load ~5); 1 MiB was
 * no clearer a gain, and a fast-path line keeps its chunk until its text is read.
 */
const FILE_CHUNK_BYTES = 256 * 1024;

function nameOf(input: Input, options: ReadOptions): string {
  if (options.sourceName !== undefined) return options.sourceName;
  if (typeof input === 'string') return input;
  if (input === process.stdin) return '<stdin>';
  return input instanceof Readable ? '<stream>' : '<buffer>';
}

/** A chunk of an input's bytes, and whether they were decompressed from zstd. */
interface InputChunks {
  readonly zstd: boolean;
  readonly chunks: AsyncGenerator<Buffer>;
}

/** The raw byte chunks of an input, with `.zst` (by magic number) decompressed on the fly. */
async function chunksOf(input: Input, source: string, onProgress?: (n: number) => void): Promise<InputChunks> {
  const raw: AsyncIterable<Buffer> =
    typeof input === 'string'
      ? createReadStream(input, { highWaterMark: FILE_CHUNK_BYTES })
      : input instanceof Readable
        ? input
        : Readable.from(slices(input));
  const it = raw[Symbol.asyncIterator]();
  let consumed = 0;
  // Peek at the first bytes (they may come in several tiny chunks) for the zstd magic.
  const head: Buffer[] = [];
  let headLen = 0;
  try {
    while (headLen < 4) {
      const r = await it.next();
      if (r.done) break;
      const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      head.push(chunk);
      headLen += chunk.length;
    }
  } catch (err) {
    throw unreadable(source, err);
  }
  const first = Buffer.concat(head);
  const isZstd = first.length >= 4 && ZSTD_MAGIC.every((b, i) => first[i] === b);
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) {
        consumed += first.length;
        onProgress?.(consumed);
        yield first;
      }
      for (let r = await it.next(); !r.done; r = await it.next()) {
        const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        consumed += chunk.length;
        onProgress?.(consumed);
        yield chunk;
      }
    } catch (err) {
      throw unreadable(source, err);
    } finally {
      // Stopped early (a consumer's break, a bad line): close the file.
      await it.return?.();
    }
  }
  return isZstd ? { zstd: true, chunks: decompress(rest(), source) } : { zstd: false, chunks: rest() };
}

function* slices(input: Uint8Array): Generator<Buffer> {
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  for (let at = 0; at < b.length; at += BUFFER_FEED_BYTES) yield b.subarray(at, at + BUFFER_FEED_BYTES);
}

function unreadable(source: string, err: unknown): TcpInfoReadError {
  if (err instanceof TcpInfoReadError) return err;
  const e = err as NodeJS.ErrnoException;
  return new TcpInfoReadError('UNREADABLE', source, 0, e.code ? `cannot read: ${e.code}` : `cannot read: ${e.message}`);
}

/** Decompressed bytes queued before decompression pauses, and the level at which it resumes. */
const QUEUE_HIGH = 4 * 1024 * 1024;
const QUEUE_LOW = 2 * 1024 * 1024;

/**
 * Decompresses a stream of zstd frames, yielding output as it comes. When the
 * data is corrupt or cut off, every byte the decompressor produced before it
 * noticed is yielded, then BAD_ZSTD or TRUNCATED_ZSTD is thrown. (A frame's
 * checksum is checked at its end: bytes of a damaged frame decoded before
 * the damage was seen come first, as `zstd -d` writes them too.)
 */
async function* decompress(compressed: AsyncGenerator<Buffer>, source: string): AsyncGenerator<Buffer> {
  const stream = newZstdDecompressor(source);
  const out: Buffer[] = [];
  // Decompressed bytes not yet taken by the consumer. zstd expands JSONL ~10-fold:
  // without a bound, a slow consumer (a pipe) lets a large file pile up in memory.
  let queued = 0;
  let error: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const take = (): Buffer => {
    const b = out.shift()!;
    queued -= b.length;
    if (stream.isPaused() && queued <= QUEUE_LOW) stream.resume();
    return b;
  };
  stream.on('data', (b: Buffer) => {
    out.push(b);
    queued += b.length;
    // Paused, the stream stops reading its input; write() then reports back-pressure to the feeder.
    if (queued > QUEUE_HIGH) stream.pause();
    wake?.();
  });
  stream.on('error', (e: Error) => {
    error ??= e;
    wake?.();
  });
  stream.on('end', () => {
    ended = true;
    wake?.();
  });
  // A decompressor that fails destroys itself: it never emits 'drain' again, so
  // the feeder waits for 'drain' or 'close', whichever comes first.
  const writable = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  let stopped = false;
  const feed = (async () => {
    for await (const chunk of compressed) {
      if (error !== undefined || stopped || stream.destroyed) return;
      if (!stream.write(chunk)) await writable();
    }
    if (!stream.destroyed) stream.end();
  })().catch((e: Error) => {
    error ??= e;
    stream.destroy();
    wake?.();
  });
  try {
    for (;;) {
      while (out.length > 0) yield take();
      if (error !== undefined || ended) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    await feed;
    while (out.length > 0) yield take();
  } finally {
    // The consumer stopped early, or the data ended: stop feeding and free the decompressor.
    stopped = true;
    if (!stream.destroyed) stream.destroy();
    await compressed.return(undefined);
  }
  if (error !== undefined) {
    if (error instanceof TcpInfoReadError) throw error;
    const truncated = /truncat|incomplete|premature|unexpected end|ended in (the )?middle/i.test(error.message);
    throw new TcpInfoReadError(truncated ? 'TRUNCATED_ZSTD' : 'BAD_ZSTD', source, 0, `${truncated ? 'zstd data cut off' : 'corrupt zstd data'}: ${error.message}`);
  }
}

/** One line of an input, without its newline, with its 1-based number. */
export interface InputLine {
  readonly text: string;
  readonly number: number;
  readonly source: string;
}

/**
 * Lines of one input chunk as UTF-8 bytes: line `i` is `bytes[starts[i], ends[i])`
 * (no newline, no trailing `\r`), numbered `numbers[i]` (1-based). Valid until
 * the reader is asked for the next batch (`bytes` may be a view of a reused chunk).
 */
export interface LineBytesBatch {
  readonly source: string;
  readonly bytes: Buffer;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly numbers: readonly number[];
  /**
   * The error to report for a bad line of this input (BAD_RECORD, LINE_TOO_LONG
   * …). For zstd input, the rest of the input is decompressed (and dropped)
   * first: when it ends in BAD_ZSTD or TRUNCATED_ZSTD, that error is returned
   * instead, because corrupt compressed data decodes to mangled lines before
   * the frame's checksum tells. Call it only to stop reading.
   */
  readonly lineError: (error: TcpInfoReadError) => Promise<TcpInfoReadError>;
}

/**
 * The lines of a JSONL input (plain or zstd) as byte ranges, in batches, one
 * per input chunk (a line cut by a chunk boundary comes alone, in a batch of
 * its own): for consumers that read bytes and need no string per line. The
 * rules are those of {@link readLineBatches}.
 */
export async function* readLineBytesBatches(input: Input, options: ReadOptions = {}): AsyncGenerator<LineBytesBatch> {
  const source = nameOf(input, options);
  const max = options.maxLineLength ?? 64 * 1024 * 1024;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let number = 0;
  const { zstd, chunks } = await chunksOf(input, source, options.onProgress);
  const lineError = async (error: TcpInfoReadError): Promise<TcpInfoReadError> => {
    if (!zstd) return error;
    try {
      for (let r = await chunks.next(); !r.done; r = await chunks.next());
    } catch (err) {
      if (err instanceof TcpInfoReadError && (err.code === 'BAD_ZSTD' || err.code === 'TRUNCATED_ZSTD')) return err;
    }
    return error;
  };
  const tooLong = (n: number) => lineError(new TcpInfoReadError('LINE_TOO_LONG', source, n, `line longer than ${max} bytes`));
  for await (const chunk of chunks) {
    const starts: number[] = [];
    const ends: number[] = [];
    const numbers: number[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      number++;
      if (carryLen > 0) {
        // The end of a line begun in an earlier chunk: it comes alone, after the lines before it.
        carry.push(chunk.subarray(start, nl));
        const line = Buffer.concat(carry);
        carry = [];
        carryLen = 0;
        start = nl + 1;
        if (line.length > max) throw await tooLong(number);
        const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
        if (end > 0) yield { source, bytes: line, starts: [0], ends: [end], numbers: [number], lineError };
        continue;
      }
      let end = nl;
      if (end - start > max) throw await tooLong(number);
      if (end > start && chunk[end - 1] === CARRIAGE_RETURN) end--;
      if (end > start) {
        starts.push(start);
        ends.push(end);
        numbers.push(number);
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      carry.push(chunk.subarray(start));
      carryLen += chunk.length - start;
      if (carryLen > max) throw await tooLong(number + 1);
    }
    if (starts.length > 0) yield { source, bytes: chunk, starts, ends, numbers, lineError };
  }
  if (carryLen > 0) {
    const line = Buffer.concat(carry);
    if (line.toString('utf8').trim() !== '') yield { source, bytes: line, starts: [0], ends: [line.length], numbers: [number + 1], lineError };
  }
}

/**
 * The lines of a JSONL input (plain or zstd) in batches, one batch per input
 * chunk: the fast way to stream many lines (one await per chunk, not per line).
 * Memory stays bounded by the chunk size and the longest line. Empty lines are
 * skipped (numbers still count them). Errors are {@link TcpInfoReadError}s naming the source.
 */
export async function* readLineBatches(input: Input, options: ReadOptions = {}): AsyncGenerator<InputLine[]> {
  for await (const { source, bytes, starts, ends, numbers } of readLineBytesBatches(input, options)) {
    const batch: InputLine[] = new Array(starts.length);
    for (let i = 0; i < starts.length; i++) batch[i] = { text: bytes.toString('utf8', starts[i], ends[i]), number: numbers[i]!, source };
    yield batch;
  }
}

/**
 * The lines of a JSONL input (plain or zstd), streamed one by one; see
 * {@link readLineBatches} for the rules.
 */
export async function* readLines(input: Input, options: ReadOptions = {}): AsyncGenerator<InputLine> {
  for await (const batch of readLineBatches(input, options)) yield* batch;
}
