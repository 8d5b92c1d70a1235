/**
 * The daemon, the cache and the parser must agree on what a kernel message is:
 * every byte of the recorded messages is flipped in turn, and the daemon's path
 * (one walk shared by the cache and the byte totals, as `Collector` does it),
 * a fresh cache, fresh byte totals and the archived record (built from the
 * message and read back from its JSON line) must all call the result malformed
 * or all accept it — and then agree on whether it changed and on its byte counts.
 * Disagreements are collected (vitest's expect per byte would dominate the run)
 * and must be none.
 */
import { IDIAG_COOKIE_HI_OFFSET, IDIAG_COOKIE_LO_OFFSET } from '@tcpinfo/inetdiag';
import { ConnectionCache, UpdateResult } from '@tcpinfo/cache';
import { ArchivalRecord, AttributeRanges, ChangeType, GoTime, NetlinkParseError } from '@tcpinfo/netlink';
import { KERNEL_6_18_FIXTURE, loadRawPayloads } from '@tcpinfo/testing';
import { describe, expect, it } from 'vitest';
import { ByteTotals } from '../src/byte-totals.js';

const payloads = [...loadRawPayloads(KERNEL_6_18_FIXTURE), ...loadRawPayloads()];
const timestamp = GoTime.fromUnixNanos(1_700_000_000_000_000_000n);
const quiet = { onWarning: () => {} };

const MALFORMED = 'malformed';
type Outcome = typeof MALFORMED | UpdateResult;

function malformedOr<T>(f: () => T): T | typeof MALFORMED {
  try {
    return f();
  } catch (err) {
    if (err instanceof NetlinkParseError) return MALFORMED;
    throw err;
  }
}

function cookieOf(b: Buffer): bigint {
  return (BigInt(b.readUInt32LE(IDIAG_COOKIE_HI_OFFSET)) << 32n) | BigInt(b.readUInt32LE(IDIAG_COOKIE_LO_OFFSET));
}

/** Judges `cur` (a variant of `prev`) every way; returns what disagrees, or undefined. */
class Judge {
  readonly daemonCache = new ConnectionCache();
  readonly freshCache = new ConnectionCache();
  readonly walk = new AttributeRanges();
  readonly daemonTotals = new ByteTotals();
  readonly totals = new ByteTotals();
  malformed = 0;
  changed = 0;
  unchanged = 0;

  judge(prev: Buffer, prevRecord: ArchivalRecord, prevParsed: ArchivalRecord | undefined, cur: Buffer): string | undefined {
    // The daemon: a cache that knows the socket, one walk per message for the cache and the byte totals.
    this.daemonCache.update(prev);
    this.daemonTotals.reset();
    const daemon: Outcome = malformedOr(() => {
      const result = this.daemonCache.update(cur, undefined, this.walk);
      this.daemonTotals.add(cur, this.walk);
      return result;
    });
    const daemonChange = this.daemonCache.lastChange;
    const cache: Outcome = malformedOr(() => this.freshCache.update(cur));
    this.totals.reset();
    this.totals.add(cur);
    const record = malformedOr(() => ArchivalRecord.fromMessage(cur, timestamp, quiet)!);
    this.daemonCache.delete(cookieOf(prev));
    if (cur.length >= 72) {
      this.daemonCache.delete(cookieOf(cur));
      this.freshCache.delete(cookieOf(cur));
    }

    if ((daemon === MALFORMED) !== (record === MALFORMED)) return `daemon ${daemon}, record ${record === MALFORMED ? record : 'ok'}`;
    if ((cache === MALFORMED) !== (record === MALFORMED)) return `cache ${cache}, record ${record === MALFORMED ? record : 'ok'}`;
    if (record === MALFORMED) {
      this.malformed++;
      return this.totals.sent === 0n && this.totals.received === 0n ? undefined : 'byte totals counted a malformed message';
    }
    const stats = record.getStats();
    if (this.totals.sent !== stats.sent || this.totals.received !== stats.received) return `byte totals ${this.totals.sent}/${this.totals.received}, getStats ${stats.sent}/${stats.received}`;
    if (this.daemonTotals.sent !== stats.sent || this.daemonTotals.received !== stats.received) return "the daemon's byte totals differ from getStats";
    if (cache !== UpdateResult.New) return `a fresh cache said ${cache}`;
    const change = record.compare(prevRecord);
    if (prevParsed !== undefined) {
      // The same record read back from its JSON line: same counts, same verdict.
      const parsed = ArchivalRecord.parseLine(record.toJSONLine());
      const parsedStats = parsed.getStats();
      if (parsedStats.sent !== stats.sent || parsedStats.received !== stats.received) return 'the parsed line has other byte counts';
      if (parsed.compare(prevParsed) !== change) return `the parsed line compares as ${parsed.compare(prevParsed)}, the record as ${change}`;
    }
    if (cookieOf(prev) !== cookieOf(cur)) return daemon === UpdateResult.New ? undefined : `another cookie, yet the daemon said ${daemon}`;
    if (change === ChangeType.NoMajorChange) {
      this.unchanged++;
      return daemon === UpdateResult.Unchanged ? undefined : `record unchanged, daemon ${daemon}`;
    }
    this.changed++;
    if (daemon !== UpdateResult.Changed || daemonChange !== change) return `record changed (${change}), daemon ${daemon} (${daemonChange})`;
    return undefined;
  }
}

describe('malformed input: the daemon, the cache and the parser agree', () => {
  it.each([
    ['0xff', 0xff, true],
    ['0x01', 0x01, false],
    ['0x10', 0x10, false],
  ])('for every byte of every recorded message flipped with %s', (_name, mask, viaJson) => {
    const j = new Judge();
    const disagreements: string[] = [];
    for (const prev of payloads) {
      const prevRecord = ArchivalRecord.fromMessage(prev, timestamp, quiet)!;
      const prevParsed = viaJson ? ArchivalRecord.parseLine(prevRecord.toJSONLine()) : undefined;
      for (let i = 0; i < prev.length; i++) {
        const cur = Buffer.from(prev);
        cur[i]! ^= mask;
        // The JSON round trip costs most: every third byte is enough for it.
        const d = j.judge(prev, prevRecord, i % 3 === 0 ? prevParsed : undefined, cur);
        if (d !== undefined && disagreements.length < 20) disagreements.push(`byte ${i} of a ${prev.length}-byte message: ${d}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Every outcome was met: flips in attribute headers make malformed lists, others changes or none.
    expect(j.malformed).toBeGreaterThan(100);
    expect(j.changed).toBeGreaterThan(1000);
    expect(j.unchanged).toBeGreaterThan(1000);
  }, 180_000); // ~2-7 s on a quiet machine; the bound only keeps a loaded CI from failing it

  it('a message too short for its inet_diag_msg, with a truncated list or an overrunning attribute is malformed everywhere', () => {
    const j = new Judge();
    const prev = payloads[0]!;
    const prevRecord = ArchivalRecord.fromMessage(prev, timestamp, quiet)!;
    for (const cur of [prev.subarray(0, 40), prev.subarray(0, prev.length - 2), Buffer.concat([prev, Buffer.from([8, 0, 1, 0])])]) {
      expect(j.judge(prev, prevRecord, undefined, Buffer.from(cur))).toBeUndefined();
    }
    expect(j.malformed).toBe(3);
  });
});
