#!/usr/bin/env node
import { exitOnStdoutError } from '@tcpinfo/cli';
import { buildInfo, formatBuildInfo } from './build-info.js';
import { helpText, loadConfig } from './config.js';
import { runDaemon } from './daemon.js';
import { tuneGarbageCollector } from './gc-tuning.js';
import { timestampedLog } from './log.js';

// A reader that stops early (`| head`, `grep -q`) closes the pipe: that is not an error.
exitOnStdoutError('tcp-info');

/**
 * Thin entry point. Exit status: 2 with one line for a configuration that
 * cannot work (checked before anything starts, as Go's flag package); 1 when
 * the daemon cannot start or fails (the original's log.Fatal); 0 after -reps
 * cycles or SIGTERM/SIGINT.
 */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`tcp-info: ${(err as Error).message}\nRun tcp-info --help for usage.\n`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (config === 'version') {
    process.stdout.write(`${formatBuildInfo(buildInfo())}\n`);
    return 0;
  }
  tuneGarbageCollector();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const log = timestampedLog();
  try {
    await runDaemon(config, { signal: stop.signal, log });
  } catch (err) {
    log(`tcp-info: ${(err as Error).message}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tcp-info: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
