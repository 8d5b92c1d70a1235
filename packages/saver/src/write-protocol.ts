/**
 * The messages between the saver (main thread) and its write thread
 * (write-thread.ts), typed on both sides. One batch of appends goes over per
 * turn of the event loop, its bytes in one shared buffer, and is answered
 * by one message.
 */

/** Settings of the write thread (its `workerData`). */
export interface WriteThreadConfig {
  /** Descriptors kept open at most, least recently used closed first. */
  readonly maxOpenFiles: number;
  /** A kept descriptor is checked against its path (deleted? truncated?) after this long (ms). */
  readonly recheckMs: number;
  /**
   * Mode of created files. Undefined: 0644 as given to open(2), so the
   * process's umask applies (the original's behaviour); a number: exactly this
   * mode (fchmod after creation, the umask does not apply).
   */
  readonly fileMode: number | undefined;
}

/** One append: `data` (and, when the file must start again, `header`) as ranges of the batch's buffer. */
export interface AppendRequest {
  /** Absolute path of the file. */
  readonly path: string;
  /** Size the saver last wrote successfully: beyond it is a torn tail, below it the file was deleted or truncated. */
  readonly goodSize: number;
  /** [offset, length] of the frames to append. */
  readonly data: readonly [number, number];
  /** [offset, length] of the header frame, written first when the file starts again (empty when goodSize is 0). */
  readonly header: readonly [number, number];
}

/** A file to leave in a valid state at exit: cut back to `goodSize`, removed when that is 0. */
export interface SettleRequest {
  readonly path: string;
  readonly goodSize: number;
}

/** Main thread → write thread. */
export interface WriteBatch {
  readonly appends: readonly AppendRequest[];
  /**
   * The batch's frames, shared rather than transferred: a transfer detaches an
   * ArrayBuffer, and the first detach in an isolate turns off V8's guarantee
   * that typed arrays never detach, after which every typed-array access of
   * the polling thread (the cache's word compare, the walkers) pays a check.
   * The main thread never touches the buffer once it is posted.
   */
  readonly bytes: SharedArrayBuffer;
  /** The saver's clock (ms): the recheck interval is measured on it. */
  readonly now: number;
  /** Paths whose descriptor to close first (file finished). */
  readonly release: readonly string[];
  /** Close every descriptor first. */
  readonly releaseAll: boolean;
  /** Files to settle (after the appends): shutdown with frames that could not be written. */
  readonly settle: readonly SettleRequest[];
}

/** What an append did. */
export type AppendOutcome =
  | {
      readonly ok: true;
      /** The file's size after the append: the new known-good size. */
      readonly size: number;
      /** The file had shrunk below goodSize (deleted or truncated under us): it was emptied and the header written first. */
      readonly restarted: boolean;
    }
  | {
      readonly ok: false;
      /** errno code (ENOSPC, EACCES, …), or NOT_REGULAR_FILE for a refusal. */
      readonly code: string;
      readonly message: string;
      /**
       * The path is not a regular file of ours (a symlink, a FIFO, a directory,
       * a file that already existed at a new name): nothing was written and
       * retrying is pointless.
       */
      readonly refused: boolean;
    };

/** Write thread → main thread. */
export interface BatchAnswer {
  readonly results: readonly AppendOutcome[];
  /** Descriptors open after the batch. */
  readonly openFiles: number;
}
