// Realistic inputs for the benchmarks: messages recorded from the kernel (Linux
// 6.18: 280-byte tcp_info, 11-13 attributes) and JSONL written by the original.
import { readFileSync } from 'node:fs';
import { decompress } from 'zstd-napi';

const FIXTURES = new URL('../../packages/testing/fixtures/', import.meta.url);

/** Decompressed bytes of a fixture of packages/testing/fixtures/. */
export function loadFixture(name) {
  return decompress(readFileSync(new URL(name, FIXTURES)));
}

/** inet_diag payloads (nlmsghdr removed) of a raw message fixture. */
export function loadPayloads(name = 'kernel-6.18-messages.bin.zst') {
  const data = loadFixture(name);
  const payloads = [];
  for (let p = 0; p + 16 <= data.length; p += data.readUInt32LE(p)) {
    payloads.push(Buffer.from(data.subarray(p + 16, p + data.readUInt32LE(p))));
  }
  return payloads;
}

/** Lines of a JSONL fixture. */
export function loadLines(name) {
  return loadFixture(name).toString('utf8').split('\n').filter((l) => l !== '');
}

/** [start, end) of the value of attribute `type` in a payload (independent of the code under test). */
export function findAttribute(payload, type) {
  let found;
  for (let p = 72; p + 4 <= payload.length; p += (payload.readUInt16LE(p) + 3) & ~3) {
    if (payload.readUInt16LE(p + 2) === type) found = [p + 4, p + payload.readUInt16LE(p)];
  }
  return found;
}
