// Runs the BUILT tcpinfo-csv command line in this process, exactly as users run
// it (arguments after this script's path), and on exit writes what it cost to
// fd 3 as one JSON line: { code, wallMs (since node started), cpuMs (user +
// system, all threads), maxRssKb }. Used by csv.bench.mjs.
import { writeSync } from 'node:fs';

const bin = new URL('../../apps/csvtool/dist/bin.js', import.meta.url);

process.on('exit', (code) => {
  const r = process.resourceUsage();
  const cost = { code, wallMs: process.uptime() * 1000, cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000, maxRssKb: r.maxRSS };
  writeSync(3, JSON.stringify(cost) + '\n');
});

// commander reads process.argv from index 2, as for the real bin.
await import(bin.href);
