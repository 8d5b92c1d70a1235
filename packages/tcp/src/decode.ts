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

/** The one rule for a field's value: eager and on-access decoding both read through it. */
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

/**
 * A tcp_info value that decodes each field when it is read (a getter per row
 * of {@link TCP_INFO_FIELDS}, on one shared prototype, reading through the
 * same `readField` as {@link decodeTcpInfo}): a job that reads three fields
 * pays for three, not for ninety. The value is a view, not a copy: it must not
 * change while the object is in use. Same values as {@link decodeTcpInfo};
 * `toJSON()` (and so `JSON.stringify`) gives exactly its object. Unlike it, a
 * field beyond the value's end is `undefined` but still `in` the object
 * (`Object.keys` lists none: the fields live on the prototype).
 * tcp-info-on-access.test.ts pins it to decodeTcpInfo.
 */
export function tcpInfoOnAccess(value: Uint8Array): TcpInfo {
  return new TcpInfoOnAccess(value) as unknown as TcpInfo;
}

/**
 * Field `field` of a decoded tcp_info (either kind): a direct read for
 * {@link tcpInfoOnAccess}'s objects, for loops over the table (a getter
 * looked up by a variable name is a slow, megamorphic load).
 */
export function tcpInfoField(info: TcpInfo, field: TcpInfoField): number | bigint | undefined {
  return info instanceof TcpInfoOnAccess ? info.read(field) : (info as unknown as Record<string, number | bigint | undefined>)[field.name];
}

class TcpInfoOnAccess {
  readonly length: number;
  readonly partial: boolean;
  readonly longer: boolean;
  readonly #value: Uint8Array;
  readonly #view: DataView;
  constructor(value: Uint8Array) {
    this.length = value.length;
    this.partial = value.length < SIZEOF_TCP_INFO_KNOWN;
    this.longer = value.length > SIZEOF_TCP_INFO_KNOWN;
    this.#value = value;
    this.#view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  }
  /** The field's value, undefined beyond the value's end (the getters below call this). */
  read(field: TcpInfoField): number | bigint | undefined {
    return field.offset + field.size > this.length ? undefined : readField(this.#view, field);
  }
  /** Exactly {@link decodeTcpInfo}'s object. */
  toJSON(): TcpInfo {
    return decodeTcpInfo(this.#value);
  }
}

for (const field of TCP_INFO_FIELDS) {
  Object.defineProperty(TcpInfoOnAccess.prototype, field.name, {
    get(this: TcpInfoOnAccess) {
      return this.read(field);
    },
    enumerable: true,
    configurable: false,
  });
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
