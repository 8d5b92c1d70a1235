import { describe, expect, it } from 'vitest';
import { CloseReconciler } from '../src/close-reconciler.js';

// The reconciliation alone: no socket, no clock (cycles and milliseconds are inputs).

interface Conn {
  readonly cookie: bigint;
  readonly excluded: boolean;
}

const conn = (cookie: bigint, excluded = false): Conn => ({ cookie, excluded });

/** A reconciler over a live set (the cache's part: `delete`), with the daemon's defaults unless given. */
function setup(live: Conn[] = [], options = {}) {
  const map = new Map(live.map((c) => [c.cookie, c]));
  const cache = {
    delete(cookie: bigint): Conn | undefined {
      const c = map.get(cookie);
      map.delete(cookie);
      return c;
    },
  };
  return { r: new CloseReconciler<Conn>(cache, options), live: map };
}

describe('CloseReconciler', () => {
  it('without destroy notifications, closes what polling found gone at once', () => {
    const { r } = setup();
    const a = conn(1n);
    expect(r.pollingGone([a], 5, false, 0)).toEqual([a]);
    expect(r.awaiting).toBe(0);
    expect(r.endCycle(5, 0)).toEqual([]);
  });

  it('polling gone, no notification: closed when the grace (in cycles) runs out, not before', () => {
    const { r } = setup([], { graceCycles: 10, graceMs: 0 });
    const a = conn(1n);
    expect(r.pollingGone([a], 5, true, 0)).toEqual([]);
    for (let cycle = 5; cycle < 15; cycle++) expect(r.endCycle(cycle, 1000 + cycle)).toEqual([]);
    expect(r.endCycle(15, 2000)).toEqual([a]);
    expect(r.awaiting).toBe(0);
    expect(r.endCycle(16, 2001)).toEqual([]); // once
  });

  it('polling gone, no notification: the grace is also a time (default 2 s), so a relay left unscheduled for many cycles still brings the final snapshot', () => {
    const { r } = setup();
    const a = conn(1n);
    r.pollingGone([a], 5, true, 10_000);
    // Many cycles, little time: a loaded machine where the relay process has not run.
    for (let cycle = 5; cycle < 100; cycle++) expect(r.endCycle(cycle, 10_000 + 19 * (cycle - 5))).toEqual([]);
    expect(r.destroyed(1n, 100)).toEqual({ action: 'final', entry: a });
    // And without a notification: closed once both the cycles and the time have passed.
    const b = conn(2n);
    r.pollingGone([b], 100, true, 12_000);
    expect(r.endCycle(200, 13_999)).toEqual([]);
    expect(r.endCycle(201, 14_000)).toEqual([b]);
    const c = conn(3n);
    r.pollingGone([c], 300, true, 20_000);
    expect(r.endCycle(305, 30_000)).toEqual([]); // time enough, cycles not
    expect(r.endCycle(310, 30_010)).toEqual([c]);
  });

  it('polling gone, then the notification within the grace: the notification closes it, with its snapshot', () => {
    const { r } = setup();
    const a = conn(1n);
    r.pollingGone([a], 5, true, 0);
    expect(r.destroyed(1n, 7)).toEqual({ action: 'final', entry: a });
    expect(r.awaiting).toBe(0);
    for (let cycle = 7; cycle < 30; cycle++) expect(r.endCycle(cycle, cycle)).toEqual([]); // never closed twice
  });

  it('notification first (the socket still live in the cache): taken out of the cache; dumps in flight are dropped for two cycles', () => {
    const a = conn(1n);
    const { r, live } = setup([a]);
    expect(r.anyDestroyed).toBe(false);
    expect(r.destroyed(1n, 3)).toEqual({ action: 'final', entry: a });
    expect(live.has(1n)).toBe(false);
    expect(r.anyDestroyed).toBe(true);
    expect(r.isDestroyed(1n)).toBe(true);
    expect(r.isDestroyed(2n)).toBe(false);
    r.endCycle(3, 0);
    r.endCycle(4, 0);
    r.endCycle(5, 0);
    expect(r.isDestroyed(1n)).toBe(true); // the cycle of the notification and the two after it
    r.endCycle(6, 0);
    expect(r.isDestroyed(1n)).toBe(false);
    expect(r.anyDestroyed).toBe(false);
  });

  it('a second notification for the same socket is a duplicate', () => {
    const a = conn(1n);
    const { r } = setup([a]);
    r.destroyed(1n, 3);
    expect(r.destroyed(1n, 3)).toEqual({ action: 'ignore', reason: 'duplicate' });
  });

  it('late notification after polling closed the file: ignored as late (no second file), once', () => {
    const { r } = setup([], { graceCycles: 2, graceMs: 0, closedMemoryMs: 60_000 });
    const a = conn(1n);
    r.pollingGone([a], 1, true, 0);
    r.endCycle(1, 0);
    expect(r.endCycle(3, 100)).toEqual([a]);
    expect(r.destroyed(1n, 500)).toEqual({ action: 'ignore', reason: 'late' });
    // Forgotten once used: a later notification of the same cookie is a new socket's business.
    expect(r.destroyed(1n, 501)).toEqual({ action: 'final', entry: undefined });
  });

  it('connections closed by polling are remembered for closedMemoryMs (a time: processes close late), then forgotten', () => {
    const { r } = setup([], { graceCycles: 0, graceMs: 0, closedMemoryMs: 1000 });
    r.pollingGone([conn(1n)], 1, true, 0);
    expect(r.endCycle(1, 10_000)).toHaveLength(1);
    r.endCycle(2, 10_999);
    expect(r.destroyed(1n, 2)).toEqual({ action: 'ignore', reason: 'late' });
    r.pollingGone([conn(2n)], 3, true, 0);
    expect(r.endCycle(3, 20_000)).toHaveLength(1);
    r.endCycle(4, 21_000);
    expect(r.destroyed(2n, 4)).toEqual({ action: 'final', entry: undefined });
  });

  it('at most closedMemoryMax connections closed by polling are remembered, oldest forgotten first', () => {
    const { r } = setup([], { graceCycles: 0, graceMs: 0, closedMemoryMax: 2 });
    r.pollingGone([conn(1n), conn(2n), conn(3n)], 1, true, 0);
    expect(r.endCycle(1, 0)).toHaveLength(3);
    expect(r.destroyed(1n, 2)).toEqual({ action: 'final', entry: undefined });
    expect(r.destroyed(2n, 2)).toEqual({ action: 'ignore', reason: 'late' });
    expect(r.destroyed(3n, 2)).toEqual({ action: 'ignore', reason: 'late' });
  });

  it('notification for a socket polling never saw: final, with no entry (the caller starts its file)', () => {
    const { r } = setup([conn(1n)]);
    expect(r.destroyed(99n, 0)).toEqual({ action: 'final', entry: undefined });
    expect(r.isDestroyed(99n)).toBe(true);
  });

  it('notification for an excluded socket: nothing to write, and it leaves the cache', () => {
    const x = conn(1n, true);
    const { r, live } = setup([x]);
    expect(r.destroyed(1n, 0)).toEqual({ action: 'ignore', reason: 'excluded' });
    expect(live.size).toBe(0);
  });

  it('grace is counted per connection: a burst found gone over several cycles expires in the same order', () => {
    const { r } = setup([], { graceCycles: 3, graceMs: 0 });
    const [a, b, c] = [conn(1n), conn(2n), conn(3n)];
    r.pollingGone([a], 1, true, 0);
    r.pollingGone([b, c], 2, true, 0);
    expect(r.endCycle(3, 0)).toEqual([]);
    expect(r.endCycle(4, 0)).toEqual([a]);
    expect(r.destroyed(2n, 4)).toEqual({ action: 'final', entry: b });
    expect(r.endCycle(5, 0)).toEqual([c]);
  });

  it('a connection found gone again (seen anew meanwhile) waits from its latest cycle, without holding up older ones', () => {
    const { r } = setup([], { graceCycles: 3, graceMs: 0 });
    const [a, b] = [conn(1n), conn(2n)];
    r.pollingGone([a], 1, true, 0);
    r.pollingGone([b], 2, true, 0);
    r.pollingGone([a], 3, true, 0);
    expect(r.endCycle(5, 0)).toEqual([b]);
    expect(r.endCycle(6, 0)).toEqual([a]);
  });

  it('drain at shutdown returns everything still waiting', () => {
    const { r } = setup();
    const [a, b] = [conn(1n), conn(2n)];
    r.pollingGone([a, b], 1, true, 0);
    expect(r.drain()).toEqual([a, b]);
    expect(r.awaiting).toBe(0);
    expect(r.endCycle(100, 0)).toEqual([]);
  });

  it('cookies beyond 2^53 keep their identity (no float on the way)', () => {
    const big = (1n << 63n) + 1n;
    const { r } = setup([conn(big)]);
    expect(r.destroyed(big - 1n + 1n, 0)).toMatchObject({ action: 'final' });
    expect(r.isDestroyed(big)).toBe(true);
    expect(r.isDestroyed(big + 1n)).toBe(false);
  });
});
