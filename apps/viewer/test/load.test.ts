import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readSnapshots } from '@tcpinfo/parse';
import { loadConnections } from '../src/load.js';
import { ARCHIVE, FINWAIT2, NDT } from './synthetic.js';

describe('loadConnections', () => {
  it('a connection file is one connection with its header', async () => {
    const [c, ...rest] = await loadConnections([NDT]);
    expect(rest).toEqual([]);
    expect(c!.metadata?.UUID).toBe('ndt-jdczh_1553815964_00000000000003E8');
    expect(c!.snapshots).toBe(150);
    expect(c!.series.build().x.values).toHaveLength(150);
    expect(c!.source).toBe(NDT);
    expect(c!.cookieHex).toBe('00000000000003E8');
  });

  it('header-less records (the original\'s archive) are grouped by socket cookie, in order of appearance', async () => {
    const expected = new Map<string, number>();
    for await (const { snapshot } of readSnapshots(ARCHIVE)) {
      const cookie = snapshot.idm!.id.cookieHex;
      expected.set(cookie, (expected.get(cookie) ?? 0) + 1);
    }
    const conns = await loadConnections([ARCHIVE]);
    expect(conns).toHaveLength(140);
    expect(conns.every((c) => c.metadata === undefined)).toBe(true);
    expect(conns.map((c) => [c.cookieHex, c.snapshots])).toEqual([...expected]);
    expect(conns.reduce((n, c) => n + c.snapshots, 0)).toBe(420);
  });

  it('files concatenated on standard input split at each header', async () => {
    const stdin = Readable.from([Buffer.concat([readFileSync(NDT), readFileSync(FINWAIT2)])]);
    const conns = await loadConnections(['-'], { stdin });
    expect(conns.map((c) => [c.source, c.metadata?.UUID, c.snapshots])).toEqual([
      ['<stdin>', 'ndt-jdczh_1553815964_00000000000003E8', 150],
      ['<stdin>', 'gfr14.nyc.corp.google.com_1554836592_unsafe_000000000135A272', 62],
    ]);
  });

  it('a bad line fails with file:line', async () => {
    const stdin = Readable.from([Buffer.from('{"Timestamp":"2019-04-02T14:12:37.511Z"}\nnot json\n')]);
    await expect(loadConnections([], { stdin })).rejects.toThrow(/^<stdin>:2: not an ArchivalRecord/);
  });
});
