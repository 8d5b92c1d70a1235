// Runs the BUILT tcpinfo-view command line in this process, as users run it
// (arguments after this script's path), and on exit writes what it cost to fd 3
// as one JSON line: { code, wallMs, cpuMs (user + system), maxRssKb }. Used by viewer.bench.mjs.
import { writeSync } from 'node:fs';

const bin = new URL('../../apps/viewer/dist/bin.js', import.meta.url);

process.on('exit', (code) => {
  const r = process.resourceUsage();
  writeSync(3, JSON.stringify({ code, wallMs: process.uptime() * 1000, cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000, maxRssKb: r.maxRSS }) + '\n');
});

await import(bin.href);
