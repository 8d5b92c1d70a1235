/** The `YYYY/MM/DD` directory (UTC) of an instant given in Unix milliseconds. */
export function datePath(unixMillis: number): string {
  const d = new Date(unixMillis);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}`;
}

/** `<date>/<uuid>.<seq, 5 digits>.jsonl.zst`, relative to the output root (SPEC §5). */
export function connectionFilePath(dateDir: string, uuid: string, sequence: number): string {
  return `${dateDir}/${uuid}.${String(sequence).padStart(5, '0')}.jsonl.zst`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
