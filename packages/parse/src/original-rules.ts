import { SIZEOF_TCP_INFO_ORIGINAL } from '@tcpinfo/tcp';

/**
 * How the Go original decides, per attribute type, whether it parsed a value
 * fully (its snapshot.Decode), so `Observed` and `NotFullyParsed` come out the
 * same whatever our own decoder can do (SPEC §7).
 */

/** Sizes of the original's fixed structs: a longer value is "not fully parsed", a shorter one is zero-extended. */
const ORIGINAL_STRUCT_SIZE: Record<number, number> = {
  1: 16, // MemInfo
  2: SIZEOF_TCP_INFO_ORIGINAL, // LinuxTCPInfo, 232
  3: 16, // VegasInfo
  7: 36, // SocketMemInfo
  9: 16, // DCTCPInfo
  16: 24, // BBRInfo (20 bytes padded to 8)
};
/** Scalars the original reads as their first byte: not parsed when empty. */
const FIRST_BYTE_TYPES = new Set([5, 6, 8, 10, 17]); // TOS, TCLASS, SHUTDOWN, PROTOCOL, CLASS_ID
const INET_DIAG_CONG = 4;
const INET_DIAG_MARK = 15;

/** Whether the original parses attribute `type` with this value fully. */
export function originalParsesFully(type: number, value: Uint8Array): boolean {
  const size = ORIGINAL_STRUCT_SIZE[type];
  if (size !== undefined) return value.length <= size;
  if (FIRST_BYTE_TYPES.has(type)) return value.length >= 1;
  if (type === INET_DIAG_CONG) return true;
  if (type === INET_DIAG_MARK) return value.length === 4;
  return false; // SKV6ONLY, LOCALS, PEERS, PAD, MD5SIG, and every type above 18
}

/**
 * The original's bit for attribute `type`: `uint32(1) << uint8(type-1)`, which
 * is 0 for type 0 (a shift by 255) and for types above 32.
 */
export function originalBit(type: number): number {
  const shift = (type - 1) & 0xff;
  return shift >= 32 ? 0 : (1 << shift) >>> 0;
}

/** `Observed` and `NotFullyParsed` of an attribute array, as the original computes them. */
export function originalBitmasks(attributes: readonly (Uint8Array | null)[] | undefined): { observed: number; notFullyParsed: number } {
  let observed = 0;
  let notFullyParsed = 0;
  if (attributes !== undefined) {
    for (let type = 0; type < attributes.length; type++) {
      const value = attributes[type];
      if (value == null) continue;
      const bit = originalBit(type);
      observed = (observed | bit) >>> 0;
      if (!originalParsesFully(type, value)) notFullyParsed = (notFullyParsed | bit) >>> 0;
    }
  }
  return { observed, notFullyParsed };
}
