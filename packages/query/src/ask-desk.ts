import { LineBytes } from '@tcpinfo/netlink';
import type { FlowState } from './figures.js';
import type { FlowTable } from './flow-table.js';
import { FlowWriter } from './flow-wire.js';
import type { Ask, AskAnswer, ToQueryThread } from './thread-protocol.js';

/**
 * The polling thread's whole part in the query socket: answers a batch of
 * asks from the query thread with the flows they name, read from the
 * {@link FlowTable}. Pure (no I/O, no clock but the table's): a batch in, one
 * message out. It runs only when a batch arrives, and a batch is sent only
 * when a client asked something; `batches` and `asks` count its work.
 */
export class AskDesk {
  readonly #table: FlowTable;
  readonly #listChunk: number;
  /** The JSON lines of a batch, reused (copied out into the message). */
  readonly #lines = new LineBytes(64 * 1024);
  /** Listings in progress, by the id of the ask that began them. */
  readonly #lists = new Map<number, Iterator<FlowState>>();
  /** Batches answered. */
  batches = 0;
  /** Asks answered. */
  asks = 0;

  constructor(table: FlowTable, listChunk: number) {
    this.#table = table;
    this.#listChunk = listChunk;
  }

  /** Listings in progress (each holds an iterator of the open flows until it ends). */
  get listings(): number {
    return this.#lists.size;
  }

  answer(asks: readonly Ask[]): ToQueryThread & { type: 'answers' } {
    this.batches++;
    this.asks += asks.length;
    const out = new FlowWriter(this.#lines);
    const answers: AskAnswer[] = [];
    for (const ask of asks) {
      const first = out.count;
      let done = true;
      switch (ask.by) {
        case 'uuid':
        case 'cookie': {
          const flow = ask.by === 'uuid' ? this.#table.get(ask.key) : this.#table.getByCookie(ask.key);
          if (flow !== undefined) out.add(flow);
          break;
        }
        case 'list':
        case 'more': {
          const id = ask.by === 'list' ? ask.id : ask.list;
          let flows = this.#lists.get(id);
          if (flows === undefined && ask.by === 'list') this.#lists.set(id, (flows = this.#table.openFlows()));
          if (flows === undefined) break; // an unknown listing: ended
          done = false;
          for (let n = 0; n < this.#listChunk; n++) {
            const next = flows.next();
            if (next.done === true) {
              done = true;
              break;
            }
            out.add(next.value);
          }
          if (done) this.#lists.delete(id);
          break;
        }
        case 'end':
          this.#lists.delete(ask.list);
      }
      answers.push({ id: ask.id, first, count: out.count - first, done });
    }
    return { type: 'answers', nowMs: this.#table.now(), answers, flows: out.finish() };
  }

  /** Forgets every listing (the query thread ended). */
  clear(): void {
    this.#lists.clear();
  }
}
