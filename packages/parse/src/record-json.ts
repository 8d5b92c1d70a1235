import { ASCII } from '@tcpinfo/go-format';
import {
  decodeCongestion, decodeU32, decodeU8, INET_DIAG_ATTRIBUTES, INET_DIAG_INFO, 
  IDIAG_COOKIE_HI_OFFSET, IDIAG_COOKIE_LO_OFFSET, IDIAG_DPORT_OFFSET, IDIAG_DST_OFFSET, IDIAG_EXPIRES_OFFSET, IDIAG_FAMILY_OFFSET,
  IDIAG_INODE_OFFSET, IDIAG_INTERFACE_OFFSET, IDIAG_RETRANS_OFFSET, IDIAG_RQUEUE_OFFSET, IDIAG_SPORT_OFFSET, IDIAG_SRC_OFFSET,
  IDIAG_STATE_OFFSET, IDIAG_TIMER_OFFSET, IDIAG_UID_OFFSET, IDIAG_WQUEUE_OFFSET,
} from '@tcpinfo/inetdiag';
import { SIZEOF_TCP_INFO_KNOWN, TCP_INFO_FIELDS } from '@tcpinfo/tcp';
import { putAddressText, u32le } from './csv/address-text.js';
import { slotsNotFullyParsed, slotsObserved } from './csv/raw-row.js';
import type { AttributeLayout } from './csv/record-slots.js';
import { putAscii, putBytes, putHex32, putUint, putUint64 } from './csv/put-text.js';
import type { JsonText } from './json-text.js';
import { writePlain } from './plain-json.js';

/**
 * A record's JSON line (snapshotToJson's text, as tcpinfo-csv --format=jsonl
 * prints it) written in one pass straight from its bytes, as the CSV row
 * writer (csv/raw-row.ts) does: no decoded objects, no strings per field.
 * Keys are precomputed bytes, numbers are written digit by digit; the shapes
 * come from the tables (inetdiag's attribute table and its struct layouts,
 * tcp's field table) and decodeInetDiagMsg's key order. The rare values with
 * no byte-level rule here (SCTP addresses, sockopt bits, cgroup ids, a
 * congestion name that needs escaping, a struct shorter than its layout's
 * fields) are decoded by the table's decoder and written by writePlain.
 * Measured with the bench's parse-rates (200 MB, same runs): JSON lines at
 * 0.66 of the CSV path's rate, where reading every field through the
 * snapshot's getters into writePlain ran at 0.28-0.46 of it.
 * record-json.property.test.ts pins it to the reference path
 * (JSON.stringify(toPlainJson(decodeRecord(…)))) byte for byte, over every
 * sample line, every recorded kernel message and random records.
 */

const { QUOTE, COMMA, CLOSE_BRACE, BACKSLASH } = ASCII;

/**
 * ASCII snippets (keys, punctuation) as 8-byte words, written eight bytes a
 * store through a DataView: a line is ~1,900 bytes, two thirds of them keys,
 * and a byte-by-byte copy cost ~2 ns a byte here (the keys alone were half
 * the writer's time). The words are doubles, read from a Float64Array and
 * stored with setFloat64, which keeps their bits: text below 0x7f never
 * makes a NaN (that needs 0x7f or above in a word's last byte), so no bit
 * pattern is canonicalized. Eight bytes a store took ~12 ns a key where four
 * (setUint32) took ~21 (tcp_info's keys, same loop; /tmp micro-benchmark).
 * A snippet writes up to 7 bytes past its end (overwritten by what
 * follows), so every reserve leaves that room. Filled at module load only;
 * the fixed tables let the optimizing compiler treat them as constants.
 */
const SNIPPET_WORDS = 2048;
const MAX_SNIPPETS = 512;
const snippetWords = new Float64Array(SNIPPET_WORDS);
const snippetBytes = new Uint8Array(snippetWords.buffer);
const snippetStart = new Int32Array(MAX_SNIPPETS + 1);
const snippetLength = new Int32Array(MAX_SNIPPETS);
let snippets = 0;
/** Adds a snippet; returns its number (at module load only). */
function snippet(text: string): number {
  const at = snippetStart[snippets]!;
  const need = at + Math.ceil(text.length / 8);
  if (snippets === MAX_SNIPPETS || need > SNIPPET_WORDS) throw new RangeError('record-json: snippet table full (raise SNIPPET_WORDS or MAX_SNIPPETS)');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x7f) throw new RangeError(`record-json: snippet ${JSON.stringify(text)} is not ASCII below 0x7f`);
    snippetBytes[8 * at + i] = c;
  }
  snippetStart[snippets + 1] = need;
  snippetLength[snippets] = text.length;
  return snippets++;
}
/** Writes snippet `i` at `pos`; returns the position after it. */
function put(dv: DataView, pos: number, i: number): number {
  for (let k = snippetStart[i]!, end = snippetStart[i + 1]!, p = pos; k < end; k++, p += 8) dv.setFloat64(p, snippetWords[k]!, true);
  return pos + snippetLength[i]!;
}
/** Room past the end that {@link put} may write. */
const SNIPPET_SLACK = 8;
const TRUE = snippet('true');
const FALSE = snippet('false');

/** A u64 from its halves as toPlainJson writes a bigint: a number up to 2^53, else a decimal string. Room: 22 bytes. */
function putU64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  if (hi < 0x200000 || (hi === 0x200000 && lo === 0)) return putUint(buf, pos, hi * 0x100000000 + lo);
  buf[pos++] = QUOTE;
  pos = putUint64(buf, pos, lo, hi);
  buf[pos++] = QUOTE;
  return pos;
}

/**
 * Fields of a struct (tcp_info's table, an attribute's layout), compiled to
 * one array of {@link FIELD_INTS} integers per field: offset, width, bitfield
 * shift and mask (0xff for a whole byte), and its key (`"name":`, a comma
 * before all but the first unless `commaFirst`) as a snippet. (One array:
 * the loop loads from one base, where five parallel arrays cost five.)
 */
interface CompiledFields {
  readonly spec: Int32Array;
  /** Bytes the fields can take at the most: keys and 22 per value. */
  readonly room: number;
}
const FIELD_INTS = 5;

interface FieldSpec {
  readonly name: string;
  readonly offset: number;
  readonly size: 1 | 2 | 4 | 8;
  readonly bits?: { readonly shift: number; readonly width: number };
}

function compileFields(fields: readonly FieldSpec[], commaFirst: boolean): CompiledFields {
  const keyTexts = fields.map((f, i) => (commaFirst || i > 0 ? ',' : '') + JSON.stringify(f.name) + ':');
  return {
    spec: Int32Array.from(fields.flatMap((f, i) => [f.offset, f.size, f.bits?.shift ?? 0, f.bits ? (1 << f.bits.width) - 1 : 0xff, snippet(keyTexts[i]!)])),
    room: keyTexts.join('').length + 22 * fields.length + SNIPPET_SLACK,
  };
}

/** A DataView of the bytes a record is read from (one load per 16- or 32-bit field, not a load per byte), made again when they change. */
let sourceView: DataView = new DataView(new ArrayBuffer(0));
let sourceViewOf: Uint8Array | undefined;
function sourceViewFor(b: Uint8Array): DataView {
  if (b !== sourceViewOf) {
    sourceViewOf = b;
    sourceView = new DataView(b.buffer, b.byteOffset, b.length);
  }
  return sourceView;
}

/** The fields that end within `length` bytes of `b` at `at`, each as its key and unsigned value. */
function putFields(buf: Uint8Array, dv: DataView, pos: number, f: CompiledFields, b: Uint8Array, at: number, length: number): number {
  const spec = f.spec;
  const src = sourceViewFor(b);
  for (let s = 0; s < spec.length; s += FIELD_INTS) {
    const o = spec[s]!;
    const n = spec[s + 1]!;
    if (o + n > length) continue;
    pos = put(dv, pos, spec[s + 4]!);
    const p = at + o;
    // One putUint for every width (fewer inlined copies: less code to compile and to cache).
    let v: number;
    if (n === 1) {
      v = (b[p]! >>> spec[s + 2]!) & spec[s + 3]!;
    } else if (n === 2) {
      v = src.getUint16(p, true);
    } else if (n === 4) {
      v = src.getUint32(p, true);
    } else {
      v = src.getUint32(p, true);
      const hi = src.getUint32(p + 4, true);
      if (hi !== 0) {
        pos = putU64(buf, pos, v, hi);
        continue;
      }
    }
    pos = putUint(buf, pos, v);
  }
  return pos;
}

/** How an attribute's value is written. */
const Kind = { Other: 0, TcpInfo: 1, Struct: 2, Name: 3, U8: 4, U32: 5, Plain: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface AttributeWriter {
  readonly kind: Kind;
  /** `,"field":`, a snippet (-1 for Other). */
  readonly key: number;
  readonly decode?: (value: Uint8Array) => unknown;
  /** Struct rows: the compiled fields and the struct's size (shorter values are zero-extended to it, longer ones are `longer`). */
  readonly fields?: CompiledFields;
  readonly structSize?: number;
}

/** How each attribute type is written, from the attribute table: by its decoder (the rule its JSON follows). */
const ATTRIBUTE_WRITERS: readonly AttributeWriter[] = INET_DIAG_ATTRIBUTES.map((row): AttributeWriter => {
  if (row.field === undefined || row.decode === undefined) return { kind: Kind.Other, key: -1 };
  const key = snippet(',' + JSON.stringify(row.field) + ':');
  if (row.type === INET_DIAG_INFO) return { kind: Kind.TcpInfo, key };
  if (row.struct !== undefined) return { kind: Kind.Struct, key, decode: row.decode, fields: compileFields(row.struct.fields, false), structSize: row.struct.size };
  if (row.decode === decodeCongestion) return { kind: Kind.Name, key, decode: row.decode };
  if (row.decode === decodeU8) return { kind: Kind.U8, key };
  if (row.decode === decodeU32) return { kind: Kind.U32, key };
  return { kind: Kind.Plain, key, decode: row.decode };
});
/** Whether attribute `type` is written as a field (else it goes in otherAttributes). */
function hasField(type: number): boolean {
  return type < ATTRIBUTE_WRITERS.length && ATTRIBUTE_WRITERS[type]!.kind !== Kind.Other;
}

const TCP_FIELDS = compileFields(TCP_INFO_FIELDS, true);
const TCP_LENGTH = snippet('{"length":');
const PARTIAL = snippet(',"partial":');
const LONGER = snippet(',"longer":');
const STRUCT_OPEN = snippet('{');
const STRUCT_LENGTH = snippet(',"length":');
/** Room for an attribute's key, the keys and values of `length`, `partial`, `longer` and the braces. */
const SHAPE_ROOM = 128;
/** A struct value shorter than its layout, zero-extended (structs are at most a few dozen bytes). */
let zeroExtended = Buffer.alloc(64); // a Buffer, as the records' bytes are: putFields' reads see one kind of array

/** Writes attribute `type`'s key and value (`b[at, at + length)`). */
function writeAttribute(w: JsonText, type: number, b: Uint8Array, at: number, length: number): void {
  const a = ATTRIBUTE_WRITERS[type]!;
  switch (a.kind) {
    case Kind.TcpInfo: {
      const buf = w.reserve(TCP_FIELDS.room + SHAPE_ROOM);
      const dv = w.view();
      let pos = put(dv, w.length, a.key);
      pos = put(dv, pos, TCP_LENGTH);
      pos = putUint(buf, pos, length);
      pos = put(dv, pos, PARTIAL);
      pos = put(dv, pos, length < SIZEOF_TCP_INFO_KNOWN ? TRUE : FALSE);
      pos = put(dv, pos, LONGER);
      pos = put(dv, pos, length > SIZEOF_TCP_INFO_KNOWN ? TRUE : FALSE);
      pos = putFields(buf, dv, pos, TCP_FIELDS, b, at, length);
      buf[pos++] = CLOSE_BRACE;
      w.length = pos;
      return;
    }
    case Kind.Struct: {
      const size = a.structSize!;
      let src = b;
      let from = at;
      if (length < size) {
        // Zero-extended, as the decoder reads it.
        if (zeroExtended.length < size) zeroExtended = Buffer.alloc(size);
        zeroExtended.fill(0, 0, size);
        zeroExtended.set(b.subarray(at, at + length), 0);
        src = zeroExtended;
        from = 0;
      }
      const fields = a.fields!;
      const buf = w.reserve(fields.room + SHAPE_ROOM);
      const dv = w.view();
      let pos = put(dv, w.length, a.key);
      pos = put(dv, pos, STRUCT_OPEN);
      pos = putFields(buf, dv, pos, fields, src, from, Math.max(length, size));
      pos = put(dv, pos, STRUCT_LENGTH);
      pos = putUint(buf, pos, length);
      pos = put(dv, pos, LONGER);
      pos = put(dv, pos, length > size ? TRUE : FALSE);
      buf[pos++] = CLOSE_BRACE;
      w.length = pos;
      return;
    }
    case Kind.Name: {
      // The name up to its NUL, as its bytes when none needs escaping (printable ASCII but `"` and `\`).
      let end = at;
      let plain = true;
      for (; end < at + length; end++) {
        const c = b[end]!;
        if (c === 0) break;
        if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) plain = false;
      }
      const buf = w.reserve(SHAPE_ROOM + end - at);
      let pos = put(w.view(), w.length, a.key);
      if (!plain) {
        w.length = pos;
        w.string(a.decode!(b.subarray(at, at + length)) as string);
        return;
      }
      buf[pos++] = QUOTE;
      pos = putBytes(buf, pos, b, at, end);
      buf[pos++] = QUOTE;
      w.length = pos;
      return;
    }
    case Kind.U8:
    case Kind.U32: {
      let v: number;
      if (a.kind === Kind.U8) {
        v = length > 0 ? b[at]! : 0;
      } else {
        // A u32 zero-extended from a shorter value.
        v = 0;
        for (let i = Math.min(length, 4) - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
      }
      const buf = w.reserve(SHAPE_ROOM);
      w.length = putUint(buf, put(w.view(), w.length, a.key), v);
      return;
    }
    default: {
      w.reserve(SHAPE_ROOM);
      w.length = put(w.view(), w.length, a.key);
      writePlain(w, a.decode!(b.subarray(at, at + length)));
    }
  }
}

const TIMESTAMP = snippet('{"timestamp":"');
const OBSERVED = snippet('","observed":');
const NOT_FULLY_PARSED = snippet(',"notFullyParsed":');
const OTHER_ATTRIBUTES = snippet(',"otherAttributes":{');
// decodeInetDiagMsg's keys, in its order (srcBytes and dstBytes are left out of JSON).
const IDM_FAMILY = snippet(',"idm":{"family":');
const IDM_STATE = snippet(',"state":');
const IDM_TIMER = snippet(',"timer":');
const IDM_RETRANS = snippet(',"retrans":');
const IDM_SPORT = snippet(',"id":{"sport":');
const IDM_DPORT = snippet(',"dport":');
const IDM_SRC = snippet(',"src":"');
const IDM_DST = snippet('","dst":"');
const IDM_INTERFACE = snippet('","interface":');
const IDM_INTERFACE_GO = snippet(',"interfaceGo":');
const IDM_COOKIE = snippet(',"cookie":');
const IDM_COOKIE_HEX = snippet(',"cookieHex":"');
const IDM_EXPIRES = snippet('"},"expires":');
const IDM_RQUEUE = snippet(',"rqueue":');
const IDM_WQUEUE = snippet(',"wqueue":');
const IDM_UID = snippet(',"uid":');
const IDM_INODE = snippet(',"inode":');
/** Room for the inet_diag_msg's JSON: its keys, two addresses and fifteen numbers. */
const IDM_ROOM = 640;

/** The 16-byte address at `b[at]`, as formatGoIP prints it (cached). */
function putAddress(buf: Uint8Array, pos: number, b: Uint8Array, at: number): number {
  return putAddressText(buf, pos, b, at, u32le(b, at), u32le(b, at + 4), u32le(b, at + 8), u32le(b, at + 12));
}

/** The inet_diag_msg at `b[m]` as decodeInetDiagMsg's object in JSON, with its key. */
function writeIdm(w: JsonText, b: Uint8Array, m: number): void {
  const buf = w.reserve(IDM_ROOM);
  const dv = w.view();
  let pos = put(dv, w.length, IDM_FAMILY);
  pos = putUint(buf, pos, b[m + IDIAG_FAMILY_OFFSET]!);
  pos = put(dv, pos, IDM_STATE);
  pos = putUint(buf, pos, b[m + IDIAG_STATE_OFFSET]!);
  pos = put(dv, pos, IDM_TIMER);
  pos = putUint(buf, pos, b[m + IDIAG_TIMER_OFFSET]!);
  pos = put(dv, pos, IDM_RETRANS);
  pos = putUint(buf, pos, b[m + IDIAG_RETRANS_OFFSET]!);
  pos = put(dv, pos, IDM_SPORT);
  pos = putUint(buf, pos, (b[m + IDIAG_SPORT_OFFSET]! << 8) | b[m + IDIAG_SPORT_OFFSET + 1]!); // ports are big-endian
  pos = put(dv, pos, IDM_DPORT);
  pos = putUint(buf, pos, (b[m + IDIAG_DPORT_OFFSET]! << 8) | b[m + IDIAG_DPORT_OFFSET + 1]!);
  pos = put(dv, pos, IDM_SRC);
  pos = putAddress(buf, pos, b, m + IDIAG_SRC_OFFSET);
  pos = put(dv, pos, IDM_DST);
  pos = putAddress(buf, pos, b, m + IDIAG_DST_OFFSET);
  pos = put(dv, pos, IDM_INTERFACE);
  const ifAt = m + IDIAG_INTERFACE_OFFSET;
  pos = putUint(buf, pos, u32le(b, ifAt));
  pos = put(dv, pos, IDM_INTERFACE_GO);
  pos = putUint(buf, pos, ((b[ifAt]! << 24) | (b[ifAt + 1]! << 16) | (b[ifAt + 2]! << 8) | b[ifAt + 3]!) >>> 0); // read big-endian, as the original
  const lo = u32le(b, m + IDIAG_COOKIE_LO_OFFSET);
  const hi = u32le(b, m + IDIAG_COOKIE_HI_OFFSET);
  pos = put(dv, pos, IDM_COOKIE);
  pos = putU64(buf, pos, lo, hi);
  pos = put(dv, pos, IDM_COOKIE_HEX);
  pos = putHex32(buf, pos, hi, 8);
  pos = putHex32(buf, pos, lo, 8);
  pos = put(dv, pos, IDM_EXPIRES);
  pos = putUint(buf, pos, u32le(b, m + IDIAG_EXPIRES_OFFSET));
  pos = put(dv, pos, IDM_RQUEUE);
  pos = putUint(buf, pos, u32le(b, m + IDIAG_RQUEUE_OFFSET));
  pos = put(dv, pos, IDM_WQUEUE);
  pos = putUint(buf, pos, u32le(b, m + IDIAG_WQUEUE_OFFSET));
  pos = put(dv, pos, IDM_UID);
  pos = putUint(buf, pos, u32le(b, m + IDIAG_UID_OFFSET));
  pos = put(dv, pos, IDM_INODE);
  pos = putUint(buf, pos, u32le(b, m + IDIAG_INODE_OFFSET));
  buf[pos++] = CLOSE_BRACE;
  w.length = pos;
}

/**
 * Writes the JSON of the record in `b` — the 72-byte inet_diag_msg at `idmAt`
 * (-1: none), attribute `type`'s value at `layout.start[type]` (-1: absent) of
 * `layout.length[type]` bytes — up to but without the closing brace (the
 * caller may add `metadata`). `timestamp` is the record's canonical timestamp
 * text (ASCII: parsed and printed back, it is the same).
 */
export function writeRecordJson(w: JsonText, b: Uint8Array, idmAt: number, layout: AttributeLayout, timestamp: string): void {
  const buf = w.reserve(timestamp.length + SHAPE_ROOM);
  const dv = w.view();
  let pos = put(dv, w.length, TIMESTAMP);
  pos = putAscii(buf, pos, timestamp);
  pos = put(dv, pos, OBSERVED);
  pos = putUint(buf, pos, slotsObserved(layout));
  pos = put(dv, pos, NOT_FULLY_PARSED);
  pos = putUint(buf, pos, slotsNotFullyParsed(layout));
  w.length = pos;
  if (idmAt >= 0) writeIdm(w, b, idmAt);
  const { count, start, length } = layout;
  let others = false;
  for (let type = 0; type < count; type++) {
    const at = start[type]!;
    if (at < 0) continue;
    if (hasField(type)) writeAttribute(w, type, b, at, length[type]!);
    else others = true;
  }
  if (!others) return;
  // The attributes with no decoder, as a Map's JSON: an object keyed by type (ascending, as integer keys are), values in base64.
  w.reserve(SHAPE_ROOM);
  w.length = put(w.view(), w.length, OTHER_ATTRIBUTES);
  let first = true;
  for (let type = 0; type < count; type++) {
    const at = start[type]!;
    if (at < 0 || hasField(type)) continue;
    if (!first) w.byte(COMMA);
    first = false;
    w.byte(QUOTE);
    w.ascii(String(type));
    w.ascii('":"');
    w.base64(b, at, at + length[type]!);
    w.byte(QUOTE);
  }
  w.byte(CLOSE_BRACE);
}
