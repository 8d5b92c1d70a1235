import type { ArchivalRecord, GoTime } from '@tcpinfo/netlink';

/**
 * A flow event as the saver sees it: a connection's first snapshot was written
 * (`open`) or its cookie was gone for a whole cycle (`close`). The event socket
 * (SPEC §8) turns these into its JSON lines.
 */
export interface FlowEvent {
  readonly kind: 'open' | 'close';
  /** Open: the first snapshot's timestamp; close: when the close was noticed. */
  readonly timestamp: GoTime;
  /** The connection's UUID, as in its file names. */
  readonly uuid: string;
  /**
   * Open only: the connection's raw 72-byte inet_diag_msg, NOT anonymized (the
   * event socket reports real addresses). A private copy; the sink may keep it.
   */
  readonly id?: Uint8Array;
}

/** Receives flow events, synchronously, on the polling thread: must not block. */
export interface FlowEventSink {
  onFlowEvent(event: FlowEvent): void;
}

/**
 * Receives every record the saver is given and every close, synchronously on
 * the polling thread, so that a consumer (the query socket, the closed-flow
 * histograms) sees exactly what the files get. Must not block.
 */
export interface RecordSink {
  /** A snapshot queued for the connection's file (after its open event). */
  onRecord(uuid: string, record: ArchivalRecord): void;
  /** The connection closed (before its close event is sent). */
  onClose(uuid: string, timestamp: GoTime): void;
}
