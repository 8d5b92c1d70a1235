/** A logger that prints at most one line per interval and says how many it suppressed. */
export function rateLimitedLog(log: (line: string) => void, intervalMs = 1000, now: () => number = Date.now): (line: string) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (line) => {
    const t = now();
    if (t - last < intervalMs) {
      suppressed++;
      return;
    }
    last = t;
    log(suppressed > 0 ? `${line} (${suppressed} similar messages suppressed)` : line);
    suppressed = 0;
  };
}
