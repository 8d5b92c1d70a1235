import { describe, expect, it } from 'vitest';
import { route } from '@tcpinfo/query';

describe('route', () => {
  it.each([
    ['/connections', { kind: 'list' }],
    ['/connections/', { kind: 'list' }],
    ['/connections?', { kind: 'list' }],
    ['/connections/host_1_unsafe_0000000000001234', { kind: 'uuid', uuid: 'host_1_unsafe_0000000000001234' }],
    ['/connections/a%20b_0000000000001234', { kind: 'uuid', uuid: 'a b_0000000000001234' }],
    ['/connections?cookie=0x1234', { kind: 'cookie', cookieHex: '0000000000001234' }],
    ['/connections?cookie=0xDEADbeef00000001', { kind: 'cookie', cookieHex: 'DEADBEEF00000001' }],
  ])('GET %s', (target, expected) => {
    expect(route('GET', target)).toEqual(expected);
  });

  it.each([
    ['/connections?cookie=1234', 400],
    ['/connections?cookie=0x', 400],
    ['/connections?cookie=0x12345678901234567', 400],
    ['/connections?cookie=0x12&cookie=0x13', 400],
    ['/connections?uuid=x', 400],
    ['/connections/%E0%A4%A', 400],
    ['/connections/x?y=1', 400],
    ['*', 400],
    ['http://tcp-info/connections', 400],
    [`/connections/${'a'.repeat(3000)}`, 400],
    ['/', 404],
    ['/metrics', 404],
    ['/connections/a/b', 404],
  ])('GET %s → %i', (target, status) => {
    expect(route('GET', target)).toMatchObject({ kind: 'error', status });
  });

  it('only GET', () => {
    expect(route('POST', '/connections')).toMatchObject({ kind: 'error', status: 405 });
    expect(route('DELETE', '/connections/x')).toMatchObject({ kind: 'error', status: 405 });
    expect(route(undefined, '/connections')).toMatchObject({ kind: 'error', status: 405 });
  });
});
