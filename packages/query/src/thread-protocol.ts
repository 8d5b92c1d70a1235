import type { PackedFlows } from './flow-wire.js';

/**
 * The messages between the polling thread (QueryServer, AskDesk) and the query
 * thread (query-thread.ts, HttpFront). The query thread does all of HTTP and
 * every answer's JSON; it asks the polling thread only for flows, in batches.
 */

/** What the query thread is started with. */
export interface QueryThreadConfig {
  readonly path: string;
  readonly mode: number;
  readonly maxClients: number;
  readonly idleTimeoutMs: number;
  readonly listChunk: number;
  readonly cachedSnapshots: number;
  readonly batchGapMs: number;
  /** Post the client count on each change (only when the polling thread has an `onClientCount`: each is a message). */
  readonly reportClients: boolean;
  /** Int32 counters the query thread keeps and the polling thread reads without a message: see {@link COUNTER}. */
  readonly counters: SharedArrayBuffer;
}

/** Indexes of the shared counters (one Int32 each). */
export const COUNTER = { clients: 0, acceptedClients: 1, refusedClients: 2, requests: 3, badRequests: 4 } as const;
/** Bytes of the shared counters. */
export const COUNTERS_BYTES = 4 * Object.keys(COUNTER).length;

/**
 * One question about flows: by UUID, by cookie (16 upper-case hex digits), or
 * the next chunk of a listing (`list`: a new listing, whose id is this ask's
 * id; `more`: the next chunk of listing `list`; `end`: the client went away).
 */
export type Ask =
  | { readonly id: number; readonly by: 'uuid' | 'cookie'; readonly key: string }
  | { readonly id: number; readonly by: 'list' }
  | { readonly id: number; readonly by: 'more' | 'end'; readonly list: number };

/** The flows of one ask: `count` flows from index `first` of the batch's flows; `done` ends a listing. */
export interface AskAnswer {
  readonly id: number;
  readonly first: number;
  readonly count: number;
  readonly done: boolean;
}

/** Query thread → polling thread. */
export type FromQueryThread =
  /** `thread`: the query thread's id and its nice value (lowered below the polling thread's). */
  | { readonly type: 'listening'; readonly thread?: { readonly tid: number; readonly nice: number } }
  | { readonly type: 'listen-error'; readonly message: string }
  | { readonly type: 'asks'; readonly asks: Ask[] }
  | { readonly type: 'clients'; readonly clients: number }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'closed' };

/** Polling thread → query thread. */
export type ToQueryThread =
  | { readonly type: 'answers'; readonly nowMs: number; readonly answers: AskAnswer[]; readonly flows: PackedFlows }
  | { readonly type: 'close' };
