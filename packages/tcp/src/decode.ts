import { SIZEOF_TCP_INFO_KNOWN, TCP_INFO_FIELDS, type TcpInfoField, type TcpInfoValues } from './tcp-info-fields.js';

/** A decoded `struct tcp_info`, with how its length compares with the known layout. */
export type TcpInfo = TcpInfoValues & {
  /** Length of the value in bytes. */
  readonly length: number;
  /** Shorter than the known layout (an older kernel): the missing fields are absent. */
  readonly partial: boolean;
  /** Longer than the known layout (a newer kernel): the extra bytes were not decoded. */
  readonly longer: boolean;
};

/**
 * Reads one field from a tcp_info value (host order, unsigned), or undefined
 * when the value ends before the field does.
 */
export function readTcpInfoField(value: Uint8Array, field: TcpInfoField): number | bigint | undefined {
  if (field.offset + field.size > value.length) return undefined;
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return readField(view, field);
}

function readField(view: DataView, field: TcpInfoField): number | bigint {
  const { offset } = field;
  switch (field.size) {
    case 1: {
      const byte = view.getUint8(offset);
      return field.bits ? (byte >>> field.bits.shift) & ((1 << field.bits.width) - 1) : byte;
    }
    case 2:
      return view.getUint16(offset, true);
    case 4:
      return view.getUint32(offset, true);
    case 8:
      return view.getBigUint64(offset, true);
  }
}

/**
 * Decodes a tcp_info value of any length: every field that fits is present
 * (unsigned; see {@link toSignedAsOriginal} for the original's signed view),
 * every field beyond the end is absent. Never throws.
 */
export function decodeTcpInfo(value: Uint8Array): TcpInfo {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out: Record<string, number | bigint | boolean> = {
    length: value.length,
    partial: value.length < SIZEOF_TCP_INFO_KNOWN,
    longer: value.length > SIZEOF_TCP_INFO_KNOWN,
  };
  for (const field of TCP_INFO_FIELDS) {
    if (field.offset + field.size > value.length) continue;
    out[field.name] = readField(view, field);
  }
  return out as TcpInfo;
}

/** A u64 as the int64 the original stores (all ones → -1n). */
export function toSigned64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/**
 * A decoded field's value as the original prints it: two's-complement for the
 * fields its Go struct declares signed (`PacingRate` of all ones is -1),
 * unchanged otherwise.
 */
export function toSignedAsOriginal(field: TcpInfoField, value: number | bigint): number | bigint {
  if (!field.signed) return value;
  if (typeof value === 'bigint') return BigInt.asIntN(64, value);
  return field.size === 4 ? value | 0 : value;
}
