/** The `YYYY/MM/DD` directory (UTC) of an instant given in Unix milliseconds. */
export function datePath(unixMillis: number): string {
  const d = new Date(unixMillis);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}`;
}

/** `<date>/<uuid>.<seq, 5 digits>.jsonl.zst`, relative to the output root (SPEC §5). */
export function connectionFilePath(dateDir: string, uuid: string, sequence: number): string {
  return `${dateDir}/${uuid}.${String(sequence).padStart(5, '0')}.jsonl.zst`;
}

/** The largest sequence number a file name holds (five digits). */
export const MAX_SEQUENCE = 99_999;

/**
 * The first sequence number from `from` on whose file is not `taken`, or -1
 * when every one up to {@link MAX_SEQUENCE} is. A connection can meet its
 * own file names again: the daemon restarted within the same boot (the UUID
 * comes from the boot time and the cookie, so a connection still open gets
 * the same one), or a cookie seen again after its connection was closed.
 * Files are created with O_EXCL (write-rules.ts), so writing under a taken
 * name would be refused and the connection's records dropped; the next
 * sequence number gives a file of its own.
 */
export function firstFreeSequence(from: number, taken: (sequence: number) => boolean): number {
  for (let seq = from; seq <= MAX_SEQUENCE; seq++) if (!taken(seq)) return seq;
  return -1;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
