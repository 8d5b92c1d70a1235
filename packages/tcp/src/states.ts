/**
 * TCP states as the kernel numbers them (`include/net/tcp_states.h`), the values
 * of `idiag_state` and `tcpi_state`.
 */
export const TCPState = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
  /** A request socket of a listener (never returned by a TCP dump). */
  NEW_SYN_RECV: 12,
  /** Bound but not listening or connected (Linux 6.7+). */
  BOUND_INACTIVE: 13,
} as const;

/** One of the {@link TCPState} values. */
export type TCPState = (typeof TCPState)[keyof typeof TCPState];

const STATE_NAMES: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = [];
  for (const [name, value] of Object.entries(TCPState)) names[value] = name;
  return names;
})();

/**
 * The name of a TCP state (`'ESTABLISHED'`), or `UNKNOWN_STATE_<n>` for a value
 * this table does not know, so that a newer kernel never breaks a decoder.
 */
export function tcpStateName(state: number): string {
  return STATE_NAMES[state] ?? `UNKNOWN_STATE_${state}`;
}

/** `1 << state`: the bit of a state in `idiag_states` filters. */
export function tcpStateFlag(state: number): number {
  return 1 << state;
}
