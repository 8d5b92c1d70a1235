/** Frame length the relay sends, alone, once it has joined the destroy groups. */
export const RELAY_JOINED = 0xffffffff;
/** Frame length the relay sends, alone, when the binding reported an overrun (ENOBUFS). */
export const RELAY_OVERRUN = 0;
/** Exit status of the relay when the kernel refuses to let it join the groups. */
export const RELAY_EXIT_REFUSED = 3;
/** Exit status of the relay after any other socket error. */
export const RELAY_EXIT_ERROR = 4;

/**
 * Cuts the relay's byte stream (destroy-relay.ts) back into its frames: a
 * 4-byte little-endian length, then that many bytes. Chunks may split a frame
 * anywhere; only a frame cut by a chunk boundary is copied.
 */
export class RelayFrameReader {
  #pending: Buffer | undefined;

  /**
   * Feeds one chunk: `onFrame` gets every complete frame (a view, valid during the
   * call; empty for the relay's overrun marker), `onJoined` the joined marker.
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void, onJoined: () => void): void {
    let buf = chunk;
    if (this.#pending !== undefined) {
      buf = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let at = 0;
    while (buf.length - at >= 4) {
      const len = buf.readUInt32LE(at);
      if (len === RELAY_JOINED) {
        at += 4;
        onJoined();
        continue;
      }
      if (buf.length - at - 4 < len) break;
      onFrame(buf.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    if (at < buf.length) this.#pending = Buffer.from(buf.subarray(at));
  }

  /** Bytes of an incomplete frame held back. */
  get pendingBytes(): number {
    return this.#pending?.length ?? 0;
  }
}
