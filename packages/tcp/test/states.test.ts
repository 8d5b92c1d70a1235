import { describe, expect, it } from 'vitest';
import { TCPState, tcpStateFlag, tcpStateName } from '../src/index.js';

describe('TCP states', () => {
  it.each([
    [1, 'ESTABLISHED'],
    [2, 'SYN_SENT'],
    [3, 'SYN_RECV'],
    [4, 'FIN_WAIT1'],
    [5, 'FIN_WAIT2'],
    [6, 'TIME_WAIT'],
    [7, 'CLOSE'],
    [8, 'CLOSE_WAIT'],
    [9, 'LAST_ACK'],
    [10, 'LISTEN'],
    [11, 'CLOSING'],
    [12, 'NEW_SYN_RECV'],
    [13, 'BOUND_INACTIVE'],
  ])('state %i is %s', (value, name) => {
    expect(tcpStateName(value)).toBe(name);
    expect(TCPState[name as keyof typeof TCPState]).toBe(value);
  });

  it.each([0, 14, 255, -1])('unknown state %i gets a stable placeholder name', (value) => {
    expect(tcpStateName(value)).toBe(`UNKNOWN_STATE_${value}`);
  });

  it('state flags are the bits of idiag_states', () => {
    expect(tcpStateFlag(TCPState.LISTEN)).toBe(0x400);
  });
});
