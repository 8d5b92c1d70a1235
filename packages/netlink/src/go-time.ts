import { floorDiv, formatRfc3339Nano, GO_ZERO_TIME_UNIX_NANOS, GoFormatError, parseRfc3339Nano, unixNanosNow } from '@tcpinfo/go-format';
import { NetlinkParseError } from './errors.js';

/**
 * A wall-clock instant with nanosecond resolution and the UTC offset it is
 * written with: what Go's `time.Time` carries through `encoding/json`.
 *
 * `toString()` is exactly Go's `time.RFC3339Nano` formatting as `MarshalJSON`
 * produces it (@tcpinfo/go-format's `formatRfc3339Nano`). `GoTime.parse`
 * keeps the offset it reads, so `parse(s).toString() === s` for every string Go
 * writes. (Like Go, `+00:00` reads back as offset 0 and is written `Z`.)
 */
export class GoTime {
  /** The zero `time.Time`: `0001-01-01T00:00:00Z`, written into header records. */
  static readonly ZERO: GoTime = new GoTime(GO_ZERO_TIME_UNIX_NANOS, 0);

  #text: string | undefined;

  private constructor(
    /** Nanoseconds since 1970-01-01T00:00:00Z (the instant, independent of the offset). */
    readonly unixNanos: bigint,
    /** UTC offset in minutes east of Greenwich that the instant is written with (-240 for `-04:00`). */
    readonly offsetMinutes: number,
  ) {}

  /**
   * The instant `unixNanos` written with `offsetMinutes` (default 0, UTC).
   * Throws {@link NetlinkParseError} `BAD_TIMESTAMP` when the offset is not a whole
   * number of minutes within ±23:59 or the local year falls outside 0000..9999
   * (Go cannot marshal those).
   */
  static fromUnixNanos(unixNanos: bigint, offsetMinutes = 0): GoTime {
    const t = new GoTime(unixNanos, offsetMinutes);
    t.#text = asNetlinkError(() => formatRfc3339Nano(unixNanos, offsetMinutes)); // checks the range, once
    return t;
  }

  /** A UTC instant from a JavaScript `Date` (millisecond resolution). */
  static fromDate(date: Date): GoTime {
    const ms = date.getTime();
    if (!Number.isFinite(ms)) throw new NetlinkParseError('BAD_TIMESTAMP', 'invalid Date');
    return GoTime.fromUnixNanos(BigInt(ms) * 1_000_000n);
  }

  /** The current wall-clock time in UTC with nanosecond resolution (see go-format's `unixNanosNow`). */
  static now(): GoTime {
    return new GoTime(unixNanosNow(), 0);
  }

  /**
   * Parses an RFC 3339 timestamp as Go's `time.Time.UnmarshalJSON` accepts it
   * (any offset within ±23:59; fraction digits beyond nine are truncated, as Go
   * does). Throws {@link NetlinkParseError} `BAD_TIMESTAMP` otherwise.
   */
  static parse(text: string): GoTime {
    const { unixNanos, offsetMinutes } = asNetlinkError(() => parseRfc3339Nano(text));
    return new GoTime(unixNanos, offsetMinutes);
  }

  /** True for Go's zero time (`0001-01-01T00:00:00Z`), whatever the offset. */
  isZero(): boolean {
    return this.unixNanos === GO_ZERO_TIME_UNIX_NANOS;
  }

  /** True when both name the same instant with the same offset (so they print the same). */
  equals(other: GoTime): boolean {
    return this.unixNanos === other.unixNanos && this.offsetMinutes === other.offsetMinutes;
  }

  /** Milliseconds since the Unix epoch, rounded down (for `Date` and metrics). */
  unixMillis(): number {
    return Number(floorDiv(this.unixNanos, 1_000_000n));
  }

  /** The same instant written in UTC (`Z`). */
  toUTC(): GoTime {
    return this.offsetMinutes === 0 ? this : new GoTime(this.unixNanos, 0);
  }

  /** Go's RFC3339Nano text, computed once per instance (many records share one dump time). */
  toString(): string {
    return (this.#text ??= asNetlinkError(() => formatRfc3339Nano(this.unixNanos, this.offsetMinutes)));
  }

  /** So that `JSON.stringify` writes the same text as Go. */
  toJSON(): string {
    return this.toString();
  }
}

/** go-format's errors as this package's one class (`BAD_TIMESTAMP`, message kept). */
function asNetlinkError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof GoFormatError) throw new NetlinkParseError('BAD_TIMESTAMP', err.message);
    throw err;
  }
}
