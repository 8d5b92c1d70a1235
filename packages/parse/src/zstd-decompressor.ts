import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { TcpInfoReadError } from './errors.js';

/**
 * Where the readers get a zstd decompressor: `node:zlib` where Node has zstd
 * (22.15 and later), else the optional `zstd-napi` addon (Node 20). Plain
 * JSONL needs neither. The choice is made once, when the first .zst input is met.
 */

type NewDecompressor = () => Transform;

/** `createZstdDecompress` of node:zlib; absent from Node 20 and from its typings. */
const nodeZstd = (zlib as unknown as { createZstdDecompress?: (options?: { chunkSize?: number }) => Transform }).createZstdDecompress;
/** Output chunks of node:zlib's decompressor: the default 16 KiB means four times the events for the same bytes. */
const NODE_ZSTD_CHUNK_BYTES = 64 * 1024;

let factory: NewDecompressor | undefined;

function chooseFactory(): NewDecompressor | undefined {
  if (typeof nodeZstd === 'function') return () => nodeZstd({ chunkSize: NODE_ZSTD_CHUNK_BYTES });
  try {
    const napi = createRequire(import.meta.url)('zstd-napi') as { DecompressStream: new () => Transform };
    return () => new napi.DecompressStream();
  } catch {
    return undefined;
  }
}

/** Which decompressor the readers use here: `node:zlib`, `zstd-napi`, or none. */
export function zstdDecompressorKind(): 'node:zlib' | 'zstd-napi' | 'none' {
  if (typeof nodeZstd === 'function') return 'node:zlib';
  return (factory ??= chooseFactory()) === undefined ? 'none' : 'zstd-napi';
}

/**
 * A new zstd decompressing stream; throws NO_ZSTD (naming `source`) where
 * neither node:zlib nor zstd-napi can decompress.
 */
export function newZstdDecompressor(source: string): Transform {
  factory ??= chooseFactory();
  if (factory === undefined) {
    throw new TcpInfoReadError('NO_ZSTD', source, 0, `zstd data, but this Node (${process.version}) has no zstd in node:zlib (22.15 and later have) and the optional zstd-napi package is not installed`);
  }
  return factory();
}
