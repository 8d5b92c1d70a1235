import { INET_DIAG_INFO } from '@tcpinfo/inetdiag';
import { AttributeRanges, AttributeWalk, byteCountersStart } from '@tcpinfo/netlink';
import { TCPI_BYTES_RECEIVED_OFFSET as TCPI_BYTES_RECEIVED, TCPI_BYTES_SENT_OFFSET as TCPI_BYTES_SENT } from '@tcpinfo/tcp';

const TWO_POW_32 = 2 ** 32;
/** Low sums carry into the high ones from here (far below 2^53, far above one cycle's sockets). */
const CARRY_AT = 2 ** 48;

/**
 * Sums of tcpi_bytes_sent and tcpi_bytes_received over raw snapshots, for the
 * send and receive rate metrics. Once a second every socket is added, so this
 * reads the walker's offsets in place (netlink's `byteCountersStart` decides,
 * as for `ArchivalRecord.getStats`) and adds the 64-bit counters as two 32-bit
 * halves in plain numbers (the low sums carry into the high ones long before
 * 2^53, so totals of closed connections stay exact for ever), instead of a
 * view, an attribute object and two bigints per socket. A malformed message
 * adds nothing.
 */
export class ByteTotals {
  #sentLow = 0;
  #sentHigh = 0;
  #receivedLow = 0;
  #receivedHigh = 0;
  readonly #ownWalk = new AttributeRanges();

  /**
   * Adds one snapshot's counters (nothing without a tcp_info long enough to hold
   * them, as the original's GetStats, or for a malformed message). `walk`: the
   * daemon's walker instance for this message (`walkPayloadOnce`), so a
   * message the cache walked is not walked again.
   */
  add(payload: Uint8Array, walk?: AttributeRanges): void {
    const ranges = walk ?? this.#ownWalk;
    if ((walk === undefined ? ranges.walkPayload(payload) : ranges.walkPayloadOnce(payload)) !== AttributeWalk.Ok) return;
    const info = byteCountersStart(ranges.valueStart[INET_DIAG_INFO]!, ranges.valueEnd[INET_DIAG_INFO]!);
    if (info < 0) return;
    this.#sentLow += u32(payload, info + TCPI_BYTES_SENT);
    this.#sentHigh += u32(payload, info + TCPI_BYTES_SENT + 4);
    this.#receivedLow += u32(payload, info + TCPI_BYTES_RECEIVED);
    this.#receivedHigh += u32(payload, info + TCPI_BYTES_RECEIVED + 4);
    if (this.#sentLow >= CARRY_AT || this.#receivedLow >= CARRY_AT) this.#carry();
  }

  #carry(): void {
    const sentCarry = Math.floor(this.#sentLow / TWO_POW_32);
    this.#sentHigh += sentCarry;
    this.#sentLow -= sentCarry * TWO_POW_32;
    const receivedCarry = Math.floor(this.#receivedLow / TWO_POW_32);
    this.#receivedHigh += receivedCarry;
    this.#receivedLow -= receivedCarry * TWO_POW_32;
  }

  reset(): void {
    this.#sentLow = this.#sentHigh = this.#receivedLow = this.#receivedHigh = 0;
  }

  get sent(): bigint {
    return BigInt(this.#sentHigh) * BigInt(TWO_POW_32) + BigInt(this.#sentLow);
  }

  get received(): bigint {
    return BigInt(this.#receivedHigh) * BigInt(TWO_POW_32) + BigInt(this.#receivedLow);
  }
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
