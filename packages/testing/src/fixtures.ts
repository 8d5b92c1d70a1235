import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decompress } from 'zstd-napi';

/**
 * The recorded fixtures (packages/testing/fixtures): kernel messages and JSONL
 * written by the original. Every package's tests load them from here.
 */

const FIXTURES_DIR = new URL('../fixtures/', import.meta.url);

/** The JSONL fixtures recorded by the original program (copied from shared/testdata). */
export const JSONL_FIXTURES = [
  'archiveRecords.jsonl.zst',
  'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst',
  'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst',
] as const;

/** 420 raw netlink messages (nlmsghdr + inet_diag payload, back to back), as the kernel sent them. */
export const RAW_MESSAGES_FIXTURE = 'raw-netlink-messages.bin.zst';

/** The path of a fixture file (compressed). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(name, FIXTURES_DIR));
}

/** The decompressed bytes of a fixture. */
export function loadFixture(name: string): Buffer {
  return decompress(readFileSync(new URL(name, FIXTURES_DIR)));
}

/** The lines of a JSONL fixture (without newlines). */
export function loadJsonlLines(name: string): string[] {
  const text = loadFixture(name).toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Messages recorded live on Linux 6.18 (tcp_info of 280 bytes, attributes 21 and
 * 22) in a test namespace: one IPv6 and one IPv4 listener, each with 3
 * established connections (both ends) that exchanged 100000 bytes each way.
 */
export const KERNEL_6_18_FIXTURE = 'kernel-6.18-messages.bin.zst';

/** The inet_diag payloads of a raw fixture (each message minus its 16-byte nlmsghdr). */
export function loadRawPayloads(name: string = RAW_MESSAGES_FIXTURE): Buffer[] {
  const data = loadFixture(name);
  const payloads: Buffer[] = [];
  for (let p = 0; p + 16 <= data.length; ) {
    const len = data.readUInt32LE(p);
    if (len < 16 || p + len > data.length) throw new Error(`bad nlmsghdr length ${len} at ${p}`);
    payloads.push(data.subarray(p + 16, p + len));
    p += len; // this file stores messages back to back, unpadded lengths are multiples of 4
  }
  return payloads;
}
