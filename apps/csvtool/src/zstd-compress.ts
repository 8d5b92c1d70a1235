import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';

/**
 * zstd level of the Parquet pages. Level 1 instead of the default 3: pages of
 * a row group are compressed on the critical path, and on the test archives
 * level 1 is about a third cheaper for files a few percent larger.
 */
export const PARQUET_ZSTD_LEVEL = 1;

type Compress = (data: Uint8Array) => Uint8Array;

interface ZlibWithZstd {
  zstdCompressSync?: (data: Uint8Array, options?: { params?: Record<number, number> }) => Buffer;
  constants: { ZSTD_c_compressionLevel?: number };
}

let compress: Compress | undefined;

/**
 * One-shot zstd compression of a page: node:zlib's where Node has it (22.15
 * and later), zstd-napi (already a dependency for reading .zst) on Node 20.
 * Chosen on first use.
 */
export function zstdCompress(data: Uint8Array): Uint8Array {
  compress ??= pick();
  return compress(data);
}

function pick(): Compress {
  const z = zlib as unknown as ZlibWithZstd;
  const level = z.constants.ZSTD_c_compressionLevel;
  if (typeof z.zstdCompressSync === 'function' && level !== undefined) {
    const zstdCompressSync = z.zstdCompressSync;
    const options = { params: { [level]: PARQUET_ZSTD_LEVEL } };
    return (data) => zstdCompressSync(data, options);
  }
  const napi = createRequire(import.meta.url)('zstd-napi') as { compress: (d: Uint8Array, p?: { compressionLevel?: number }) => Buffer };
  const parameters = { compressionLevel: PARQUET_ZSTD_LEVEL };
  return (data) => napi.compress(data, parameters);
}
