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

  it('asks for help', () => {
    expect(parseSidecarArgs(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseSidecarArgs(['--help'], {})).toEqual({ kind: 'help' });
  });
});
