import type { FlowState } from './figures.js';
import { readFlow, type PackedFlows } from './flow-wire.js';
import type { Ask, AskAnswer, ToQueryThread } from './thread-protocol.js';

/** Asks without their id (the link numbers them). */
export type Question = { readonly by: 'uuid' | 'cookie'; readonly key: string } | { readonly by: 'list' } | { readonly by: 'more' | 'end'; readonly list: number };

/** The flows answering one ask, rebuilt, and the polling thread's clock when it answered. */
export interface Reply {
  readonly id: number;
  readonly flows: FlowState[];
  readonly done: boolean;
  readonly nowMs: number;
}

/** Least time between two batches by default (ms): see {@link MainLink}. */
export const DEFAULT_BATCH_GAP_MS = 5;

/**
 * The query thread's side of the asks: questions go over in batches, at most
 * one in flight and at most one every `gapMs`, so that under load each message
 * to the polling thread carries many asks. A message wakes the polling thread,
 * which costs it ~60 µs of CPU on the 2-core VM whether it carries one ask or
 * a hundred: bounded to 1000 / `gapMs` per second, whatever the query rate. A
 * question after a quiet gap goes at once (no added latency); under load one
 * waits at most `gapMs` plus the polling thread's turn. `send` posts a batch.
 */
export class MainLink {
  readonly #send: (asks: Ask[]) => void;
  readonly #gapMs: number;
  readonly #waiting = new Map<number, (r: Reply) => void>();
  #queue: Ask[] = [];
  #inFlight = false;
  #scheduled = false;
  #lastSent = -Infinity;
  #nextId = 1;

  constructor(send: (asks: Ask[]) => void, gapMs = DEFAULT_BATCH_GAP_MS) {
    this.#send = send;
    this.#gapMs = gapMs;
  }

  /** Asks the polling thread; resolves with its reply (never rejects; pending asks are dropped with the thread). */
  ask(q: Question): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#queue.push({ ...q, id } as Ask);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#inFlight || this.#scheduled) return;
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      if (this.#inFlight || this.#queue.length === 0) return;
      this.#inFlight = true;
      this.#lastSent = performance.now();
      const asks = this.#queue;
      this.#queue = [];
      this.#send(asks);
    };
    const wait = this.#lastSent + this.#gapMs - performance.now();
    // After this turn's requests at least: one batch per turn, one per gap.
    if (wait <= 0) setImmediate(go);
    else setTimeout(go, wait);
  }

  /** The polling thread's answer to the batch in flight. */
  answered(m: ToQueryThread & { type: 'answers' }): void {
    this.#inFlight = false;
    for (const a of m.answers) this.#resolve(a, m.flows, m.nowMs);
    if (this.#queue.length > 0) this.#schedule();
  }

  #resolve(a: AskAnswer, packed: PackedFlows, nowMs: number): void {
    const resolve = this.#waiting.get(a.id);
    if (resolve === undefined) return;
    this.#waiting.delete(a.id);
    const flows: FlowState[] = [];
    for (let i = a.first; i < a.first + a.count; i++) flows.push(readFlow(packed, i));
    resolve({ id: a.id, flows, done: a.done, nowMs });
  }
}
