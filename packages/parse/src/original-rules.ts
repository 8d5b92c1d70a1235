import { originalParsesFully } from '@tcpinfo/inetdiag';

/**
 * `Observed` and `NotFullyParsed` as the Go original computes them (SPEC §7).
 * Which values it parses fully is a column of inetdiag's attribute table
 * (`originalParsesFully(type, length)`); this module only sets the bits.
 */

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
      if (!originalParsesFully(type, value.length)) notFullyParsed = (notFullyParsed | bit) >>> 0;
    }
  }
  return { observed, notFullyParsed };
}
