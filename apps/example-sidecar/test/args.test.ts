import { describe, expect, it } from 'vitest';
import { parseSidecarArgs } from '../src/index.js';

describe('parseSidecarArgs', () => {
  it.each([
    [['-tcpinfo.eventsocket=/a'], {}, '/a'],
    [['--tcpinfo.eventsocket=/a=b'], {}, '/a=b'],
    [['-tcpinfo.eventsocket', '/a'], {}, '/a'],
    [['--tcpinfo.eventsocket', '/a'], { TCPINFO_EVENTSOCKET: '/env' }, '/a'],
    [[], { TCPINFO_EVENTSOCKET: '/env' }, '/env'],
  ])('%j with env %j → %s', (argv, env, path) => {
    expect(parseSidecarArgs(argv, env)).toEqual({ kind: 'run', path });
  });

  it.each([[[]], [['-tcpinfo.eventsocket']], [['-tcpinfo.eventsocket=']], [['-nope=1']], [['stray']]])('%j is a usage error', (argv) => {
    expect(parseSidecarArgs(argv, {}).kind).toBe('usage-error');
  });

  it('takes the query socket from its flag or TCPINFO_QUERY_SOCKET', () => {
    expect(parseSidecarArgs(['-tcpinfo.eventsocket=/a', '-tcpinfo.query-socket', '/q'], {})).toEqual({ kind: 'run', path: '/a', querySocket: '/q' });
    expect(parseSidecarArgs(['-tcpinfo.eventsocket=/a'], { TCPINFO_QUERY_SOCKET: '/q' })).toEqual({ kind: 'run', path: '/a', querySocket: '/q' });
    expect(parseSidecarArgs(['-tcpinfo.eventsocket=/a'], { TCPINFO_QUERY_SOCKET: '' })).toEqual({ kind: 'run', path: '/a' });
  });

  it('asks for help', () => {
    expect(parseSidecarArgs(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseSidecarArgs(['--help'], {})).toEqual({ kind: 'help' });
  });
});
