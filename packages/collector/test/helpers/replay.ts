// A collector without root: a dump socket that replays recorded kernel messages,
// a destroy source the test feeds, and a saver wrapper that records each call.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cookieOf } from '@tcpinfo/cache';
import { IDIAG_COOKIE_HI_OFFSET, IDIAG_COOKIE_LO_OFFSET, IDIAG_FAMILY_OFFSET, IDIAG_STATE_OFFSET } from '@tcpinfo/inetdiag';
import { createMetrics, type TcpInfoMetrics } from '@tcpinfo/metrics';
import type { DumpResult, ExclusionRules } from '@tcpinfo/netlink';
import { Saver, type FlowEvent } from '@tcpinfo/saver';
import { KERNEL_6_18_FIXTURE, loadRawPayloads } from '@tcpinfo/testing';
import { Collector, type CollectorSaver, type DestroySource, type DumpSocket } from '../../src/index.js';

/** The 14 sockets recorded on Linux 6.18 (7 IPv4, 7 IPv6: a listener and 3 connections' two ends each), as private copies. */
export function recordedSockets(): Buffer[] {
  return loadRawPayloads(KERNEL_6_18_FIXTURE).map((p) => Buffer.from(p));
}

/** A copy of `payload` with another cookie. */
export function withCookie(payload: Buffer, cookie: bigint): Buffer {
  const copy = Buffer.from(payload);
  copy.writeUInt32LE(Number(cookie & 0xffffffffn), IDIAG_COOKIE_LO_OFFSET);
  copy.writeUInt32LE(Number(cookie >> 32n), IDIAG_COOKIE_HI_OFFSET);
  return copy;
}

/** A copy of `payload` in another TCP state (a destroy notification's final snapshot is in CLOSE, 7). */
export function withState(payload: Buffer, state: number): Buffer {
  const copy = Buffer.from(payload);
  copy[IDIAG_STATE_OFFSET] = state;
  return copy;
}

/**
 * A dump socket over a scene the test edits: each dump delivers the scene's
 * sockets of the requested family (inet_diag_req_v2's first byte), each as a view
 * into one reused datagram buffer, as the kernel's replies are.
 */
export class ReplaySocket implements DumpSocket {
  /** The sockets the kernel would list now. */
  scene: Buffer[];
  /** Results to return instead of a clean one, per coming dump (`interrupted` or a failure). */
  readonly next: ('interrupted' | Error)[] = [];
  /** Called after the first message of each dump: what arrives while a dump is in flight. */
  midDump: (() => void) | undefined;
  dumps = 0;
  closed = false;

  constructor(scene: Buffer[]) {
    this.scene = scene;
  }

  async dump(request: Uint8Array, onMessage: (payload: Buffer) => void): Promise<DumpResult> {
    this.dumps++;
    const outcome = this.next.shift();
    if (outcome instanceof Error) throw outcome;
    const family = request[0];
    const mine = this.scene.filter((p) => p[IDIAG_FAMILY_OFFSET] === family);
    const datagram = Buffer.concat(mine);
    let offset = 0;
    let messages = 0;
    for (const p of mine) {
      onMessage(datagram.subarray(offset, offset + p.length));
      offset += p.length;
      if (messages++ === 0) this.midDump?.();
    }
    await Promise.resolve();
    return { messages, datagrams: 1, interrupted: outcome === 'interrupted' };
  }

  close(): void {
    this.closed = true;
  }
}

/** A destroy source whose notifications the test sends. */
export class FakeDestroySource implements DestroySource {
  readonly ready = Promise.resolve();
  closed = false;
  constructor(readonly send: (payload: Buffer) => void) {}
  close(): void {
    this.closed = true;
  }
}

/** One call the collector made to the saver. */
export interface SaverCall {
  readonly call: 'write' | 'close';
  readonly cookie: bigint;
  /** For writes: the TCP state of the snapshot written. */
  readonly state?: number;
}

/** A collector over a replayed scene, a real Saver (in a temporary directory) whose calls are recorded. */
export function replayCollector(scene: Buffer[], options: { destroyEvents: boolean; exclude?: ExclusionRules }) {
  const metrics: TcpInfoMetrics = createMetrics({ processMetrics: false });
  const events: FlowEvent[] = [];
  const logs: string[] = [];
  const saver = new Saver({
    outputDir: mkdtempSync(join(tmpdir(), 'collector-replay-')),
    uuidPrefix: 'replay_1700000000',
    metrics,
    events: { onFlowEvent: (e) => events.push(e) },
    log: (l) => logs.push(l),
  });
  const calls: SaverCall[] = [];
  const cookie = (k: { lo: number; hi: number }) => (BigInt(k.hi) << 32n) | BigInt(k.lo);
  const recording: CollectorSaver = {
    write: (key, record, rawIdm) => {
      calls.push({ call: 'write', cookie: cookie(key), state: rawIdm[IDIAG_STATE_OFFSET]! });
      saver.write(key, record, rawIdm);
    },
    close: (key, timestamp) => {
      calls.push({ call: 'close', cookie: cookie(key) });
      saver.close(key, timestamp);
    },
    tick: () => saver.tick(),
    flushNow: () => saver.flushNow(),
    closeAll: (timestamp, keys) => saver.closeAll(timestamp, keys),
  };
  const socket = new ReplaySocket(scene);
  let source: FakeDestroySource | undefined;
  const collector = new Collector({
    saver: recording,
    metrics,
    socket,
    reps: 0,
    log: (l) => logs.push(l),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    destroyEvents: options.destroyEvents,
    // Replayed cycles follow each other at once: the grace is counted in cycles alone here.
    closeGraceMs: 0,
    openDestroyListener: (onDestroyed) => (source = new FakeDestroySource(onDestroyed)),
  });
  if (options.destroyEvents) collector.startDestroyEvents();
  return {
    collector,
    socket,
    saver,
    metrics,
    events,
    logs,
    calls,
    /** Sends a destroy notification (destroy events must be on). */
    destroy(payload: Buffer): void {
      if (source === undefined) throw new Error('destroy events are off');
      source.send(payload);
    },
    /** The calls about one socket. */
    callsOf(payload: Buffer): SaverCall[] {
      const c = cookieOf(payload);
      return calls.filter((x) => x.cookie === c);
    },
    /** Runs `n` cycles. */
    async cycles(n: number): Promise<void> {
      for (let i = 0; i < n; i++) await collector.cycle();
    },
    async counter(name: string): Promise<number> {
      const m = await metrics.registry.getSingleMetric(name)!.get();
      return m.values.reduce((a, v) => a + v.value, 0);
    },
  };
}
