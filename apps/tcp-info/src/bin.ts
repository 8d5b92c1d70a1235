#!/usr/bin/env node
import { helpText, loadConfig } from './config.js';
import { runDaemon } from './daemon.js';

// File writes go through libuv's thread pool; its default 4 threads make the
// first frames of 10,000 connections found at start-up take twice as long to
// reach the disk. Set before anything uses the pool (imports only read files
// synchronously); an operator's own setting wins.
process.env.UV_THREADPOOL_SIZE ??= '16';

// Thin entry point: parse, validate (exit 2 with one line), run, exit 0.
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
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await runDaemon(config, { signal: stop.signal });
  } catch (err) {
    process.stderr.write(`tcp-info: ${(err as Error).message}\n`);
    return (err as Error).name === 'StartupError' ? 2 : 1;
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
