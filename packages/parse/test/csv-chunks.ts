/** Helpers of the toCsv tests (to-csv.test.ts, raw-extras.property.test.ts). */

/** Every chunk of `chunks`, joined. */
export async function text(chunks: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of chunks) s += c;
  return s;
}

/** The same items, but not the SnapshotStream itself: toCsv must take the flexible path. */
export async function* relay<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  yield* items;
}
