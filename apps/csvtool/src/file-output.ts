import { closeSync, writeSync, writevSync } from 'node:fs';
import { Writable } from 'node:stream';

/**
 * `-o FILE`: the output written with synchronous system calls from the
 * converting thread, as Node writes a standard output that is a file.
 *
 * fs.WriteStream sends every write through libuv's thread pool: a wake-up of
 * a pool thread, which on a 2-core machine running --jobs 2 first has to
 * take a core from the two converting threads. In a profile of 1,000 small
 * files the main thread spent ~20 % of its time in the write calls, preempted
 * by the pool thread it had just woken, and the worker waited on it. A write
 * of 64 KiB into the page cache costs microseconds; a slow disk blocks this
 * thread, which is the back-pressure a converter wants (the workers stop at
 * their window of unacknowledged output).
 *
 * Errors (a full disk) reach the stream's 'error' event, as before.
 */
export class FileOutput extends Writable {
  constructor(private readonly fd: number) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      writeAll(this.fd, chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    try {
      let buffers = chunks.map((c) => c.chunk);
      // writev may write part: go on from where it stopped.
      while (buffers.length > 0) {
        let n = writevSync(this.fd, buffers);
        while (buffers.length > 0 && n >= buffers[0]!.length) n -= buffers.shift()!.length;
        if (n > 0) buffers[0] = buffers[0]!.subarray(n);
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      closeSync(this.fd);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}
