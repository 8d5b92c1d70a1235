import { TCPI_BYTES_RECEIVED_OFFSET, TCPI_BYTES_SENT_OFFSET } from '@tcpinfo/tcp';

/** End of the later counter, tcpi_bytes_sent (u64): a tcp_info shorter than this (208 bytes) has no byte counts. */
const BYTE_COUNTERS_END = Math.max(TCPI_BYTES_SENT_OFFSET, TCPI_BYTES_RECEIVED_OFFSET) + 8;

/**
 * The original's `GetStats` rule, the one place it is written: a snapshot's
 * bytes sent and received are tcp_info's `tcpi_bytes_sent` and
 * `tcpi_bytes_received` (u64, host order, at `TCPI_BYTES_SENT_OFFSET` and
 * `TCPI_BYTES_RECEIVED_OFFSET` from the value's start) when the INET_DIAG_INFO
 * value `[infoStart, infoEnd)` is long enough to hold both, and 0 otherwise.
 * Returns `infoStart` when the counters are there, -1 when they are not (also
 * for `infoStart` -1, an absent value). `ArchivalRecord.getStats` and the
 * daemon's byte totals both read through it.
 */
export function byteCountersStart(infoStart: number, infoEnd: number): number {
  return infoStart >= 0 && infoEnd - infoStart >= BYTE_COUNTERS_END ? infoStart : -1;
}
