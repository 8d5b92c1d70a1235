/** Receives one human-readable line per anomaly (a dropped or duplicated attribute). */
export type WarningSink = (message: string) => void;

const WARNING_INTERVAL_MS = 1000;

/**
 * A sink that writes to `console.warn` at most once per second and counts what
 * it held back: a misbehaving kernel repeats the same anomaly for every socket
 * every 10 ms, and the original's per-message log line would flood the log.
 */
export function rateLimitedConsoleWarning(intervalMs = WARNING_INTERVAL_MS): WarningSink {
  let lastMs = -Infinity;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - lastMs < intervalMs) {
      suppressed++;
      return;
    }
    const note = suppressed > 0 ? ` (${suppressed} similar warnings suppressed)` : '';
    lastMs = now;
    suppressed = 0;
    console.warn(`tcpinfo/netlink: ${message}${note}`);
  };
}
