#!/usr/bin/env node
// Runs every bench/src/*.bench.mjs suite against the BUILT packages (dist/),
// checks each case's result and prints one table. Usage:
//   pnpm bench                 (builds first, then runs all suites)
//   node src/run.mjs records   (only suites whose file name contains "records")
// BENCH_TIME_MS sets the measuring time per case (default 1000).
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatCount, formatTable, measure } from './harness.mjs';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const rows = [['suite', 'case', 'items/s', 'ns/item', 'unit', 'check', 'notes']];
let failures = 0;
for (const file of files) {
  const suite = file.replace(/\.bench\.mjs$/, '');
  let cases;
  try {
    ({ cases } = await import(pathToFileURL(dir + file).href));
    if (typeof cases === 'function') cases = await cases();
  } catch (err) {
    failures++;
    rows.push([suite, `(failed to load: ${err.message})`, '', '', '', 'FAIL']);
    continue;
  }
  for (const benchCase of cases) {
    try {
      // A case either runs synchronously under `measure`, or measures itself
      // (`measureAsync`: whole runs of a program, in a child process).
      const r = benchCase.measureAsync ? await benchCase.measureAsync() : measure(benchCase);
      const perSecond = r.perSecond ?? r.items / (r.elapsedMs / 1000);
      const nsPerItem = r.nsPerItem ?? (r.elapsedMs * 1e6) / r.items;
      rows.push([suite, benchCase.name, formatCount(perSecond), nsPerItem.toFixed(1), benchCase.unit ?? 'ops', 'ok', r.notes ?? '']);
    } catch (err) {
      failures++;
      rows.push([suite, benchCase.name, '', '', benchCase.unit ?? 'ops', `FAIL: ${err.message}`, '']);
    }
    process.stderr.write('.');
  }
}
process.stderr.write('\n');
console.log(`node ${process.version}, ${process.arch}`);
console.log(formatTable(rows));
if (files.length === 0) {
  console.error('no *.bench.mjs suites found');
  failures++;
}
process.exitCode = failures > 0 ? 1 : 0;
