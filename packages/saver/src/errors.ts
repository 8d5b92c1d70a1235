/** Why the saver refused or failed something; `code` says which. */
export type SaverErrorCode =
  /** The path is not a regular file of ours (a symlink, a FIFO, something planted at a temporary's name). */
  | 'NOT_REGULAR_FILE';

/** The one error class of @tcpinfo/saver (system errors keep their errno `code`). */
export class SaverError extends Error {
  override readonly name = 'SaverError';

  constructor(
    readonly code: SaverErrorCode,
    message: string,
  ) {
    super(message);
  }
}
