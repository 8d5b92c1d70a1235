import { ArchivalRecord, LineBytes } from '@tcpinfo/netlink';
import { FlowState } from './figures.js';

/**
 * Flows as they cross from the polling thread to the query thread, in a few
 * flat arrays so that a batch is one structured clone of typed arrays instead
 * of one object graph per flow: per flow four strings (UUID, cookie, close
 * time, congestion control), eight numbers, one bigint, and its latest record
 * as the JSON line the files get (written by the one writer of that layout,
 * `ArchivalRecord.writeJSONLine`, read back by `parseLine`: exact for every
 * record, anonymized addresses included, whatever made it).
 */
export interface PackedFlows {
  readonly count: number;
  /** uuid, cookieHex, closedAt, congestion per flow (null for undefined). */
  readonly texts: (string | null)[];
  /** NUMBERS_PER_FLOW per flow, in the order of {@link FlowWriter.add}. */
  readonly numbers: Float64Array;
  readonly firstNanos: bigint[];
  /** The records' JSON lines, one after the other; each ends where its `lineEnd` says. */
  readonly lines: Uint8Array;
}

const TEXTS_PER_FLOW = 4;
const NUMBERS_PER_FLOW = 8;

/** Writes flows for one message (the polling thread's side: a lookup, a few stores and one line per flow). */
export class FlowWriter {
  readonly #texts: (string | null)[] = [];
  #numbers = new Float64Array(NUMBERS_PER_FLOW * 4);
  readonly #firstNanos: bigint[] = [];
  readonly #lines: LineBytes;
  #count = 0;

  /** `lines`: a buffer to reuse (reset here), its bytes copied out by {@link finish}. */
  constructor(lines: LineBytes = new LineBytes()) {
    lines.reset();
    this.#lines = lines;
  }

  /** Flows written so far (the index the next one gets). */
  get count(): number {
    return this.#count;
  }

  add(flow: FlowState): void {
    this.#texts.push(flow.uuid, flow.cookieHex, flow.closedAt ?? null, flow.congestion ?? null);
    this.#firstNanos.push(flow.firstNanos);
    flow.latest.writeJSONLine(this.#lines);
    let n = this.#numbers;
    const at = this.#count * NUMBERS_PER_FLOW;
    if (at + NUMBERS_PER_FLOW > n.length) {
      n = new Float64Array(n.length * 2);
      n.set(this.#numbers);
      this.#numbers = n;
    }
    n[at] = flow.snapshots;
    n[at + 1] = flow.latestMs;
    n[at + 2] = flow.olderMs;
    n[at + 3] = flow.olderBytes;
    n[at + 4] = flow.newerMs;
    n[at + 5] = flow.newerBytes;
    n[at + 6] = flow.closedAtMs ?? Number.NaN;
    n[at + 7] = this.#lines.length;
    this.#count++;
  }

  /**
   * The flows written, in shared buffers of their own (nothing else refers to
   * them). Shared, not transferred: a transfer detaches an ArrayBuffer, and
   * the first detach in the polling thread's isolate makes every typed-array
   * access of that thread pay a check from then on (see the saver's
   * WriteBatch.bytes).
   */
  finish(): PackedFlows {
    const lines = new Uint8Array(new SharedArrayBuffer(this.#lines.length));
    lines.set(this.#lines.buffer.subarray(0, this.#lines.length));
    const count = this.#count * NUMBERS_PER_FLOW;
    const numbers = new Float64Array(new SharedArrayBuffer(count * Float64Array.BYTES_PER_ELEMENT));
    numbers.set(this.#numbers.subarray(0, count));
    return { count: this.#count, texts: this.#texts, numbers, firstNanos: this.#firstNanos, lines };
  }
}

/** Flow `i` of `packed`, rebuilt (the query thread's side). */
export function readFlow(packed: PackedFlows, i: number): FlowState {
  const t = i * TEXTS_PER_FLOW;
  const at = i * NUMBERS_PER_FLOW;
  const n = packed.numbers;
  const lineStart = i === 0 ? 0 : n[at - 1]!;
  const latest = ArchivalRecord.parseLine(packed.lines.subarray(lineStart, n[at + 7]!));
  const closedAtMs = n[at + 6]!;
  return FlowState.restore(packed.texts[t]!, packed.texts[t + 1]!, latest, {
    snapshots: n[at]!,
    latestMs: n[at + 1]!,
    olderMs: n[at + 2]!,
    olderBytes: n[at + 3]!,
    newerMs: n[at + 4]!,
    newerBytes: n[at + 5]!,
    closedAtMs: Number.isNaN(closedAtMs) ? undefined : closedAtMs,
    closedAt: packed.texts[t + 2] ?? undefined,
    congestion: packed.texts[t + 3] ?? undefined,
    firstNanos: packed.firstNanos[i]!,
  });
}
