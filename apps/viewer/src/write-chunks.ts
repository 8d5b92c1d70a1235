import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';

/** Text is written in pieces of about this size: few system calls, no page-sized buffer. */
const WRITE_SIZE = 256 * 1024;

/** Joins small chunks (header fields, commas) into pieces of about {@link WRITE_SIZE}. */
function* batched(chunks: Iterable<string>): Generator<string> {
  let pending = '';
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= WRITE_SIZE) {
      yield pending;
      pending = '';
    }
  }
  if (pending !== '') yield pending;
}

/** Writes the chunks to a file (created or truncated); its errors are Node's (code, syscall). */
export function writeChunksToFile(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const piece of batched(chunks)) {
      const bytes = Buffer.from(piece);
      // writeSync may write less than asked (a full disk shows up as a short write first).
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the chunks to a stream (standard output), waiting whenever its buffer is full. */
export async function writeChunksToStream(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  for (const piece of batched(chunks)) {
    if (!stream.write(piece)) await once(stream, 'drain');
  }
}
