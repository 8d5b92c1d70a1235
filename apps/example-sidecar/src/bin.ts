#!/usr/bin/env node
import { runSidecar } from './index.js';

// Usage: tcpinfo-example-sidecar -tcpinfo.eventsocket=PATH (or TCPINFO_EVENTSOCKET=PATH)
const arg = process.argv.slice(2).find((a) => /^--?tcpinfo\.eventsocket=/.test(a));
const path = arg?.split('=').slice(1).join('=') ?? process.env.TCPINFO_EVENTSOCKET;
if (path === undefined || path === '' || process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stderr.write('usage: tcpinfo-example-sidecar -tcpinfo.eventsocket=PATH   (or env TCPINFO_EVENTSOCKET)\n');
  process.exit(path === undefined || path === '' ? 2 : 0);
}
const client = runSidecar(path);
const stop = () => client.close();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
