/**
 * The WebAssembly side of the cache's unchanged-socket test: a memory holding
 * a SIMD arena's storage, with its own instance of wasm/same-words.wat (whose
 * bytes are same-words-wasm.ts). snapshot-words.ts decides what to compare.
 */

import { SAME_WORDS_WASM } from './same-words-wasm.js';

/**
 * The part of the WebAssembly API used here. Node has had it since 8, but
 * @types/node 20 does not declare the global (22 does).
 */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** Whether this process has WebAssembly (not under `node --jitless`): else arenas stay plain. */
export const simdAvailable = wasm !== undefined;

const PAGE_BYTES = 65_536;

/**
 * `same` of same-words.wat: 1 when the snapshots at byte offsets `prev` and
 * `cur` of the memory are equal in bytes [0, b0), [b1, b2), [b3, b4) and
 * [b5, length), else 0.
 */
export type SameWords = (prev: number, cur: number, b0: number, b1: number, b2: number, b3: number, b4: number, b5: number, length: number) => number;

/** A WebAssembly memory and the compare that reads it. */
export interface SimdStorage {
  /** The memory's bytes (fixed: the memory is never grown, see below). */
  readonly buffer: ArrayBuffer;
  readonly same: SameWords;
}

/** Compiled on first use (its ~250 bytes take microseconds). */
let compiled: object | undefined;

/**
 * A new memory of at least `bytes` (zeroed) with its own compare. Callers
 * that need more take a new one and copy: `Memory.grow` detaches the old
 * buffer, and after the first detached ArrayBuffer V8 checks every
 * typed-array access of the whole process for it (a loop over an Int32Array
 * measured twice as slow).
 */
export function simdStorage(bytes: number): SimdStorage {
  if (wasm === undefined) throw new Error('WebAssembly is not available in this process');
  compiled ??= new wasm.Module(SAME_WORDS_WASM);
  const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE_BYTES)) });
  const instance = new wasm.Instance(compiled, { env: { memory } });
  return { buffer: memory.buffer, same: instance.exports.same as SameWords };
}
