/** Seconds since the epoch of the last timestamp's date and time (rows of a file share them), and that text. */
let lastSecondsText = '';
let lastSeconds = 0n;
const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/;
/** The fraction (up to 9 digits) and the zone after the seconds. */
const REST = /^(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/;

function invalid(text: string): Error {
  return new Error(`not a timestamp: ${JSON.stringify(text)}`);
}

/**
 * RFC 3339 text (Go's time.Time in JSON, as the Timestamp column prints it:
 * `2019-03-28T23:32:44.954263954Z`, up to 9 fraction digits, Z or ±hh:mm) as
 * nanoseconds since the epoch: the Parquet TIMESTAMP(NANOS, UTC) value.
 */
export function timestampNanos(text: string): bigint {
  const secondsText = text.slice(0, 19);
  let seconds: bigint;
  if (secondsText === lastSecondsText) {
    seconds = lastSeconds;
  } else {
    const m = TIMESTAMP.exec(secondsText);
    if (m === null) throw invalid(text);
    const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    // Date.UTC maps years 0-99 to 1900-1999; Go's times are proleptic from year 1.
    const fixed = +m[1]! < 100 ? new Date(ms).setUTCFullYear(+m[1]!) : ms;
    seconds = BigInt(fixed / 1000);
    lastSecondsText = secondsText;
    lastSeconds = seconds;
  }
  const rest = text.slice(19);
  let nanos = 0;
  let offsetSeconds = 0;
  if (rest !== 'Z') {
    const m = REST.exec(rest);
    if (m === null) throw invalid(text);
    if (m[1] !== undefined) nanos = Number(m[1].padEnd(9, '0'));
    if (m[2] !== undefined) offsetSeconds = (m[2] === '-' ? -1 : 1) * (+m[3]! * 3600 + +m[4]! * 60);
  }
  return (seconds - BigInt(offsetSeconds)) * 1_000_000_000n + BigInt(nanos);
}
