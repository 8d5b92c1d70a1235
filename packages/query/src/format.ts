import type { ConnectionAnswer, ConnectionListEntry } from '@tcpinfo/eventsocket';
import { AF_INET6, IDIAG_STATE_OFFSET, decodeInetDiagMsg } from '@tcpinfo/inetdiag';
import { decodeRecord, plainJsonText } from '@tcpinfo/parse';
import { tcpStateName } from '@tcpinfo/tcp';
import { congestionOf, figuresOf, keyFields, type FlowState } from './figures.js';

/** Address and port as a URL authority writes them: `192.0.2.1:80`, `[2001:db8::1]:80`. */
function endpoint(address: string, port: number, v6: boolean): string {
  return v6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The part of a flow's identity that never changes (its socket's addresses, as written to its file). */
type FixedIdentity = Pick<ConnectionListEntry, 'uuid' | 'cookie' | 'family' | 'src' | 'dst'>;

function fixedIdentity(flow: FlowState): FixedIdentity {
  const idm = decodeInetDiagMsg(flow.latest.rawIdm!);
  const v6 = idm.family === AF_INET6;
  return {
    uuid: flow.uuid,
    cookie: `0x${flow.cookieHex.toLowerCase()}`,
    family: v6 ? 'ipv6' : 'ipv4',
    src: endpoint(idm.id.src, idm.id.sport, v6),
    dst: endpoint(idm.id.dst, idm.id.dport, v6),
  };
}

/** The TCP state of the flow's latest snapshot. */
function stateOf(flow: FlowState): string {
  return tcpStateName(flow.latest.rawIdm![IDIAG_STATE_OFFSET]!);
}

/** The list entry's values of the latest snapshot, after the identity. */
function listFigures(flow: FlowState): Omit<ConnectionListEntry, keyof FixedIdentity> {
  const k = keyFields(flow.latest);
  return {
    state: stateOf(flow),
    bytesAcked: k.bytesAcked,
    bytesReceived: k.bytesReceived,
    rttUs: k.rttUs,
    cwnd: k.cwnd,
    deliveryRate: k.deliveryRate,
  };
}

/** One element of `GET /connections`. */
export function listEntry(flow: FlowState): ConnectionListEntry {
  return { ...fixedIdentity(flow), ...listFigures(flow) };
}

/**
 * The JSON texts of objects as the JSON of one object with all their members,
 * in order (what JSON.stringify of the spread objects writes). Each text must
 * be a JSON object, as JSON.stringify writes it.
 */
function joinObjects(...texts: string[]): string {
  let out = '';
  for (const t of texts) {
    if (t.length > 2) out += (out === '' ? '' : ',') + t.slice(1, -1);
  }
  return `{${out}}`;
}

/** The answer after the identity: the state, close, congestion control and figures at `nowMs`. */
function answerHead(flow: FlowState, nowMs: number): string {
  const closed = flow.closedAtMs !== undefined;
  const congestion = flow.congestion ?? congestionOf(flow.latest);
  const head: Omit<ConnectionAnswer, 'snapshot' | keyof FixedIdentity> = {
    state: stateOf(flow),
    closed,
    ...(closed ? { closedAt: flow.closedAt! } : {}),
    ...(congestion !== undefined ? { congestion } : {}),
    figures: figuresOf(flow, closed ? flow.closedAtMs! : nowMs),
  };
  return JSON.stringify(head);
}

/**
 * The latest snapshot of a flow in @tcpinfo/parse's JSON (the bulk of an
 * answer's work: decode, then JSON): snapshotToJson's text, written in one
 * pass by plainJsonText (its rules, pinned to them by parse's property test)
 * instead of a plain copy of the decoded objects then JSON.stringify: ~25 µs
 * instead of ~70. format-cache.test.ts pins it to snapshotToJson over every
 * recorded kernel message.
 */
function snapshotJson(flow: FlowState): string {
  const { record: _record, ...rest } = decodeRecord(flow.latest).snapshot;
  return plainJsonText(rest);
}

/**
 * The JSON text of `GET /connections/{uuid}`: identity, figures at `nowMs`
 * (the close time for a closed flow) and the latest snapshot in @tcpinfo/parse's
 * JSON (spliced in as text: it is already JSON). The reference that
 * {@link AnswerCache} is tested against.
 */
export function answerJson(flow: FlowState, nowMs: number): string {
  return joinObjects(JSON.stringify(fixedIdentity(flow)), answerHead(flow, nowMs), `{"snapshot":${snapshotJson(flow)}}`);
}

/** Snapshots kept by default in an {@link AnswerCache} (~2.5 KB of JSON each). */
export const DEFAULT_CACHED_SNAPSHOTS = 1024;

/**
 * The answers' parts that change only with a new snapshot, kept between
 * queries so that asking again costs the figures alone (a connection's latest
 * snapshot in JSON is ~45 µs of decode and JSON, the rest of an answer ~10 µs):
 * the fixed identity (UUID, cookie, family, addresses) and the latest
 * snapshot's JSON of the `maxSnapshots` flows asked about most recently.
 *
 * Keyed by UUID, valid while the flow's snapshot count is the one the entry
 * was made at (a flow's latest record changes exactly when its count does), so
 * it serves flows rebuilt anew for each query on the query thread as well as
 * the table's own objects. Nothing is done on the polling path: validity is
 * checked when asked. A listing uses the identities cached and caches none
 * (a listing of every connection would evict the answers).
 *
 * Texts are byte for byte those of {@link answerJson} and {@link listEntry}
 * (test/format-cache.test.ts).
 */
export class AnswerCache {
  /** Least recently asked first (Map order), so eviction takes the front. */
  readonly #entries = new Map<string, { snapshots: number; identity: string; json: string }>();
  readonly #maxSnapshots: number;
  /** Answers whose snapshot JSON came from the cache, and those that had to make it. */
  hits = 0;
  misses = 0;

  constructor(maxSnapshots = DEFAULT_CACHED_SNAPSHOTS) {
    this.#maxSnapshots = maxSnapshots;
  }

  /** Snapshots held now. */
  get size(): number {
    return this.#entries.size;
  }

  #entry(flow: FlowState): { identity: string; json: string } {
    const hit = this.#entries.get(flow.uuid);
    if (hit !== undefined) {
      this.#entries.delete(flow.uuid);
      if (hit.snapshots === flow.snapshots) {
        this.#entries.set(flow.uuid, hit);
        this.hits++;
        return hit;
      }
    }
    this.misses++;
    const entry = { snapshots: flow.snapshots, identity: hit?.identity ?? JSON.stringify(fixedIdentity(flow)), json: snapshotJson(flow) };
    this.#entries.set(flow.uuid, entry);
    if (this.#entries.size > this.#maxSnapshots) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }

  /** {@link answerJson}, from the cache where the snapshot is unchanged. */
  answerJson(flow: FlowState, nowMs: number): string {
    const e = this.#entry(flow);
    return joinObjects(e.identity, answerHead(flow, nowMs), `{"snapshot":${e.json}}`);
  }

  /** `JSON.stringify(listEntry(flow))`, the identity from the cache if there. */
  listEntryJson(flow: FlowState): string {
    const identity = this.#entries.get(flow.uuid)?.identity ?? JSON.stringify(fixedIdentity(flow));
    return joinObjects(identity, JSON.stringify(listFigures(flow)));
  }
}
