import { EventParseError } from './errors.js';
import type { SockId } from './events.js';
import { JsonNumber, parseExactJson, type ExactJsonValue } from './exact-json.js';
import { floorDiv, GO_ZERO_TIME_UNIX_NANOS, GoFormatError, parseRfc3339Nano } from '@tcpinfo/go-format';

/** Fields common to both kinds of event a client receives. */
interface ReceivedEventBase {
  /** The event time, to the millisecond (see `timestampNanos`). */
  readonly timestamp: Date;
  /** The event time in Unix nanoseconds, exact. */
  readonly timestampNanos: bigint;
  /** The connection's UUID, as in tcp-info's file names. */
  readonly uuid: string;
}

/** A connection was first seen (sent before its first record is written). */
export interface OpenFlowEvent extends ReceivedEventBase {
  readonly event: 'open';
  /** The connection's identity; `cookie` is the kernel's u64. */
  readonly id: SockId;
}

/** A connection is gone. */
export interface CloseFlowEvent extends ReceivedEventBase {
  readonly event: 'close';
  /** Close events carry no identity (`"ID":null`). */
  readonly id?: undefined;
}

/** An event as a client receives it. */
export type ClientFlowEvent = OpenFlowEvent | CloseFlowEvent;

/** Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix nanoseconds: what a missing Timestamp decodes to. */
export { GO_ZERO_TIME_UNIX_NANOS };

/**
 * An RFC 3339 timestamp as Go's `time.Time.UnmarshalJSON` reads it (@tcpinfo/go-format),
 * as Unix nanoseconds. Throws {@link EventParseError} `BAD_FIELD` otherwise.
 */
export function parseRfc3339Nanos(text: string): bigint {
  try {
    return parseRfc3339Nano(text).unixNanos;
  } catch (err) {
    if (err instanceof GoFormatError) throw new EventParseError('BAD_FIELD', `Timestamp ${JSON.stringify(text)} is not RFC 3339 (${err.message})`);
    throw err;
  }
}

/** The `Date` of Unix nanoseconds (milliseconds, rounded down as Go's `UnixMilli`). */
export function dateFromUnixNanos(unixNanos: bigint): Date {
  return new Date(Number(floorDiv(unixNanos, 1_000_000n)));
}

type JsonObject = { readonly [key: string]: ExactJsonValue };

function isObject(v: ExactJsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/**
 * The value of struct field `name`, found as Go's decoder finds it: an exact key
 * first, else a key equal ignoring (ASCII) case; the last such key wins.
 */
function field(o: JsonObject, name: string): ExactJsonValue | undefined {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  let found: ExactJsonValue | undefined;
  for (const key of Object.keys(o)) if (key.toLowerCase() === lower) found = o[key];
  return found;
}

/** An integer field of Go type int64/uint16/uint32: a plain integer literal within range, or absent/null (zero). */
function integer(o: JsonObject, name: string, min: bigint, max: bigint): bigint {
  const v = field(o, name);
  if (v === undefined || v === null) return 0n;
  // Go's ParseInt refuses fractions and exponents for integer fields.
  if (!(v instanceof JsonNumber) || !/^-?\d+$/.test(v.text)) throw new EventParseError('BAD_FIELD', `${name} is not an integer`);
  const n = BigInt(v.text);
  if (n < min || n > max) throw new EventParseError('BAD_FIELD', `${name} ${v.text} is out of range`);
  return n;
}

function string(o: JsonObject, name: string): string {
  const v = field(o, name);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new EventParseError('BAD_FIELD', `${name} is not a string`);
  return v;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function sockId(o: JsonObject): SockId {
  return {
    sport: Number(integer(o, 'SPort', 0n, 0xffffn)),
    dport: Number(integer(o, 'DPort', 0n, 0xffffn)),
    srcIP: string(o, 'SrcIP'),
    dstIP: string(o, 'DstIP'),
    interface: Number(integer(o, 'Interface', 0n, 0xffff_ffffn)),
    // The wire has the original's int64; the kernel's u64 is what UUIDs are made of.
    cookie: BigInt.asUintN(64, integer(o, 'Cookie', INT64_MIN, INT64_MAX)),
  };
}

/**
 * Parses one line of the event socket by the Go client's rules (its
 * `json.Unmarshal` into `FlowEvent`): field names matched as Go matches them,
 * unknown fields ignored, missing fields zero, integers refused when out of their
 * Go type's range; `Event` 0 is open and 1 is close. The cookie stays exact.
 * Stricter than Go in one point: an open event must carry an `ID`.
 * Throws {@link EventParseError}.
 */
export function parseFlowEventLine(line: string): ClientFlowEvent {
  const o = parseExactJson(line);
  if (!isObject(o)) throw new EventParseError('BAD_JSON', 'not a JSON object');
  const kind = integer(o, 'Event', INT64_MIN, INT64_MAX);
  const ts = field(o, 'Timestamp');
  if (ts !== undefined && ts !== null && typeof ts !== 'string') throw new EventParseError('BAD_FIELD', 'Timestamp is not a string');
  const timestampNanos = typeof ts === 'string' ? parseRfc3339Nanos(ts) : GO_ZERO_TIME_UNIX_NANOS;
  const base = { timestamp: dateFromUnixNanos(timestampNanos), timestampNanos, uuid: string(o, 'UUID') };
  const id = field(o, 'ID');
  if (id !== undefined && id !== null && !isObject(id)) throw new EventParseError('BAD_FIELD', 'ID is not an object');
  if (kind === 1n) {
    if (isObject(id)) sockId(id); // Go decodes (and may refuse) an ID even on close; it is then ignored
    return { event: 'close', ...base };
  }
  if (kind !== 0n) throw new EventParseError('UNKNOWN_EVENT', `unknown event type ${kind}`);
  if (!isObject(id)) throw new EventParseError('MISSING_ID', 'open event without ID');
  return { event: 'open', ...base, id: sockId(id) };
}
