/** The part of a writable stream this module needs (process.stdout, or a test's emitter). */
export interface ErrorEmitter {
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
}

/** Where the decision goes: the process by default, a recorder in tests. */
export interface ExitSink {
  readonly exit: (code: number) => void;
  readonly writeError: (text: string) => void;
}

const processSink: ExitSink = {
  exit: (code) => process.exit(code),
  writeError: (text) => process.stderr.write(text),
};

/**
 * Makes every failure to write standard output end the program at once, as the
 * tools of a Unix pipeline do:
 * - EPIPE (the reader stopped early: `| head`, `grep -q`): not an error of
 *   ours, so status 0 and nothing on stderr;
 * - anything else (ENOSPC on `> /dev/full`, EIO …): status 1 and one line
 *   `PROGRAM: standard output: cannot write: <code and message>`.
 * Call it first thing in a CLI's bin.ts, before anything is written.
 */
export function exitOnStdoutError(program: string, stdout: ErrorEmitter = process.stdout, sink: ExitSink = processSink): void {
  stdout.on('error', (err) => {
    if (err.code === 'EPIPE') return sink.exit(0);
    sink.writeError(`${program}: standard output: cannot write: ${err.message}\n`);
    sink.exit(1);
  });
}
