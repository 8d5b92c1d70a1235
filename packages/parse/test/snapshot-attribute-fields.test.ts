import { INET_DIAG_ATTRIBUTES } from '@tcpinfo/inetdiag';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/index.js';

// decodeRecord stores each attribute under the field name inetdiag's table gives;
// this list, checked against Snapshot's keys by the compiler, pins the two together.
const SNAPSHOT_ATTRIBUTE_KEYS = [
  'memInfo', 'tcpInfo', 'vegasInfo', 'congestionAlgorithm', 'tos', 'tclass', 'skMemInfo', 'shutdown', 'dctcpInfo',
  'protocol', 'skv6only', 'locals', 'peers', 'mark', 'bbrInfo', 'classId', 'cgroupId', 'sockOpt',
] as const satisfies readonly (keyof Snapshot)[];

describe('decodeRecord and the attribute table', () => {
  it('every decoded attribute of the table has a field of Snapshot, and every such field a row', () => {
    const fields = INET_DIAG_ATTRIBUTES.flatMap((a) => (a.field !== undefined && a.decode !== undefined ? [a.field] : []));
    expect([...fields].sort()).toEqual([...SNAPSHOT_ATTRIBUTE_KEYS].sort());
  });
});
