import type { SockId } from './wire.js';

/** An event as a client receives it. */
export interface ClientFlowEvent {
  readonly event: 'open' | 'close';
  /** The event time (millisecond precision; see `timestampNanos`). */
  readonly timestamp: Date;
  /** The event time in Unix nanoseconds, exact. */
  readonly timestampNanos: bigint;
  readonly uuid: string;
  /** The socket's identity (open events only). */
  readonly id?: SockId;
}

/** A line that is not an event. */
export class EventParseError extends Error {
  override readonly name = 'EventParseError';
}

const TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 (any offset, up to 9 fraction digits) to Unix nanoseconds. */
export function parseRfc3339Nanos(text: string): bigint {
  const m = TIME.exec(text);
  if (!m) throw new EventParseError(`bad timestamp ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
}

/**
 * Parses one line as the Go client does (its FlowEvent struct: Event 0 = open,
 * 1 = close; ID null on close), keeping the 64-bit cookie exact.
 */
export function parseFlowEventLine(line: string): ClientFlowEvent {
  // JSON numbers lose precision above 2^53: turn the cookie into a string first.
  const safe = line.replace(/"Cookie":(-?\d+)/, '"Cookie":"$1"');
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(safe) as Record<string, unknown>;
  } catch {
    throw new EventParseError(`not JSON: ${line.slice(0, 80)}`);
  }
  if (o === null || typeof o !== 'object') throw new EventParseError('not an object');
  const kind = o.Event === 0 ? 'open' : o.Event === 1 ? 'close' : undefined;
  if (kind === undefined) throw new EventParseError(`unknown event ${String(o.Event)}`);
  if (typeof o.Timestamp !== 'string' || typeof o.UUID !== 'string') throw new EventParseError('missing Timestamp or UUID');
  const nanos = parseRfc3339Nanos(o.Timestamp);
  const base = { event: kind, timestamp: new Date(Number(nanos / 1_000_000n)), timestampNanos: nanos, uuid: o.UUID } as const;
  const id = o.ID as Record<string, unknown> | null | undefined;
  if (id === null || id === undefined) return base;
  const num = (k: string) => {
    if (typeof id[k] !== 'number') throw new EventParseError(`ID.${k} is not a number`);
    return id[k] as number;
  };
  const str = (k: string) => {
    if (typeof id[k] !== 'string') throw new EventParseError(`ID.${k} is not a string`);
    return id[k] as string;
  };
  return {
    ...base,
    id: { sport: num('SPort'), dport: num('DPort'), srcIP: str('SrcIP'), dstIP: str('DstIP'), interface: num('Interface'), cookie: BigInt.asUintN(64, BigInt(str('Cookie'))) },
  };
}
