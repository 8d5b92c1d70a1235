/** A one-line progress bar on a terminal stream, redrawn at most 10 times a second. */
export function progressBar(stream: NodeJS.WriteStream): { update(done: number, total: number): void; finish(): void } {
  let last = 0;
  let drawn = false;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 || total <= 0) return;
      last = now;
      const width = 30;
      const frac = Math.min(1, done / total);
      const filled = Math.round(frac * width);
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(done)}/${mb(total)} MB`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
