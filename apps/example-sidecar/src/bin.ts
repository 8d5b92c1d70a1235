#!/usr/bin/env node
import { parseSidecarArgs, runSidecar, USAGE } from './index.js';

const command = parseSidecarArgs(process.argv.slice(2), process.env);
if (command.kind === 'help') {
  process.stdout.write(USAGE);
} else if (command.kind === 'usage-error') {
  process.stderr.write(`tcpinfo-example-sidecar: ${command.message}\n${USAGE}`);
  process.exitCode = 2;
} else {
  const stop = new AbortController();
  const client = runSidecar(command.path, { signal: stop.signal, ...(command.querySocket !== undefined ? { querySocket: command.querySocket } : {}) });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  // Exit 0 once closed: nothing else keeps the process alive.
  client.once('close', () => console.log('shutdown'));
}
