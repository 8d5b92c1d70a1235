/**
 * The daemon's log: one line per call on stderr, each prefixed with its time in
 * RFC 3339 UTC with milliseconds (`2026-11-29T00:50:01.234Z tcp-info: …`), as
 * the original's Go `log` prefixes its lines with the time. Usage errors (exit 2)
 * are printed by the CLI without it, as Go's `flag` package does.
 */
export function timestampedLog(write: (text: string) => void = (t) => process.stderr.write(t), now: () => Date = () => new Date()): (line: string) => void {
  return (line) => write(`${now().toISOString()} ${line}\n`);
}
