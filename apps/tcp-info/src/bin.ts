#!/usr/bin/env node
import { helpText, loadConfig } from './config.js';
import { runDaemon } from './daemon.js';

// A reader that stops early (`| head`, `grep -q`) closes the pipe: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});

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
