/** Redraw at most this often: a terminal write per chunk would cost more than the chunk. */
const REDRAW_MS = 100;
const BAR_WIDTH = 30;

/** Both byte counts in the total's unit (B, kB, MB or GB), so they read as "done/total unit". */
export function formatBytesOfTotal(done: number, total: number): string {
  const [divisor, unit, digits] = total < 1e3 ? [1, 'B', 0] : total < 1e6 ? [1e3, 'kB', 1] : total < 1e9 ? [1e6, 'MB', 1] : [1e9, 'GB', 2];
  return `${(done / divisor).toFixed(digits)}/${(total / divisor).toFixed(digits)} ${unit}`;
}

/**
 * A one-line progress bar on a terminal stream: `[####      ]  40% 20.1/50.1 MB`,
 * redrawn in place at most 10 times a second, erased by `finish()`.
 */
export function progressBar(stream: NodeJS.WriteStream): { update(done: number, total: number): void; finish(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < REDRAW_MS || total <= 0) return;
      last = now;
      const frac = Math.min(1, done / total);
      const filled = Math.round(frac * BAR_WIDTH);
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytesOfTotal(done, total)}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
