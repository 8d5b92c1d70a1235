#!/usr/bin/env node
import { Command, Option } from 'commander';
import { convert } from './convert.js';
import { progressBar } from './progress.js';

const program = new Command()
  .name('tcpinfo-csv')
  .description('Convert tcp-info archival JSONL (.jsonl or .jsonl.zst) to CSV, as the original csvtool does.')
  .argument('[files...]', 'input files (.jsonl or .jsonl.zst, detected by content); "-" or none: standard input')
  .addOption(new Option('--columns <set>', 'original: the original tool\'s 105 columns; all: plus every field it cannot show (newer tcp_info fields, CGROUP_ID, SOCKOPT, LOCALS/PEERS …)').choices(['original', 'all']).default('original'))
  .addOption(new Option('--format <format>', 'csv, or jsonl: the decoded snapshots as JSON lines (bigints as decimal strings)').choices(['csv', 'jsonl']).default('csv'))
  .option('--skip-invalid', 'skip lines that are not ArchivalRecords and report how many at the end, instead of stopping')
  .option('--no-progress', 'never draw the progress bar (it is drawn only when stderr is a terminal and input comes from files)')
  .addHelpText(
    'after',
    `
Examples:
  tcpinfo-csv < conn.jsonl > conn.csv
  tcpinfo-csv 2019/04/02/*.jsonl.zst > day.csv           (one header line for all files)
  zstd -dc f.jsonl.zst | tcpinfo-csv - > f.csv
  tcpinfo-csv --columns=all --skip-invalid f.jsonl.zst > f.csv
  tcpinfo-csv --format=jsonl f.jsonl.zst | jq .tcpInfo.rtt

Exit status: 0 on success; 1 for a missing or unreadable file or a line that is
not an ArchivalRecord (one line on stderr: file:line: reason).`,
  )
  .showHelpAfterError('(run tcpinfo-csv --help for usage)')
  .exitOverride();

async function main(): Promise<number> {
  // A closed pipe (| head, grep -q) is not an error of ours, --help's output included.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    process.stderr.write(`tcpinfo-csv: standard output: cannot write: ${e.code ?? e.message}\n`);
    process.exit(1);
  });
  try {
    program.parse();
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1;
  }
  const opts = program.opts<{ columns: 'original' | 'all'; format: 'csv' | 'jsonl'; skipInvalid?: boolean; progress: boolean }>();
  const files = program.args;
  const showProgress = opts.progress && process.stderr.isTTY === true && files.length > 0 && !files.includes('-');
  const bar = showProgress ? progressBar(process.stderr) : undefined;
  try {
    const result = await convert({
      inputs: files,
      output: process.stdout,
      columns: opts.columns,
      format: opts.format,
      skipInvalid: opts.skipInvalid === true,
      ...(bar ? { onProgress: (d: number, t: number) => bar.update(d, t) } : {}),
    });
    bar?.finish();
    if (result.skipped > 0) {
      process.stderr.write(`tcpinfo-csv: skipped ${result.skipped} invalid line(s), e.g. ${result.skippedExamples[0]}\n`);
    }
    return 0;
  } catch (err) {
    bar?.finish();
    process.stderr.write(`tcpinfo-csv: ${(err as Error).message}\n`);
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
