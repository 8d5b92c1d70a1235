#!/usr/bin/env node
import { openSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { exitOnStdoutError } from '@tcpinfo/cli';
import { Command, InvalidArgumentError, Option } from 'commander';
import { FileOutput } from './file-output.js';
import { progressBar } from './progress.js';
import { EarlyWorker, expectsSeveralInputs } from './worker-spawn.js';

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of 1 or more');
  return n;
}

const program = new Command()
  .name('tcpinfo-csv')
  .description('Convert tcp-info archival JSONL (.jsonl or .jsonl.zst) to CSV, as the original csvtool does.')
  .argument('[inputs...]', 'input files (.jsonl or .jsonl.zst, detected by content), directories (every *.jsonl and *.jsonl.zst below, in name order); "-" or none: standard input')
  .addOption(new Option('--columns <set>', 'original: the original tool\'s 105 columns; all: plus every field it cannot show (newer tcp_info fields, CGROUP_ID, SOCKOPT, LOCALS/PEERS …)').choices(['original', 'all']).default('original'))
  .addOption(new Option('--format <format>', 'csv; jsonl: the decoded snapshots as JSON lines (bigints as decimal strings); parquet: the CSV\'s rows and columns, typed (use with -o)').choices(['csv', 'jsonl', 'parquet']).default('csv'))
  .option('--keys', 'append the columns UUID (the connection, from the file\'s header record) and File (the input\'s path): a key per row across hosts and files')
  .option('-o, --output <file>', 'write to this file instead of standard output')
  .option('--files-from <file>', 'also convert the paths listed in this file ("-": standard input), one per line or NUL-separated (find -print0)')
  .option('--no-header', 'leave out the CSV header line (for output that is concatenated)')
  .addOption(new Option('--jobs <n>', 'inputs converted at once (this thread and n-1 worker threads); the output keeps input order').argParser(positiveInt).default(availableParallelism(), 'the number of cores'))
  .option('--skip-invalid', 'skip lines that are not ArchivalRecords and inputs that cannot be read (unreadable, corrupt zstd), report them at the end, and go on, instead of stopping')
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
  tcpinfo-csv --format=parquet -o day.parquet 2019/04/02/        (a directory: every file below)
  find /archive -name '*.jsonl.zst' -print0 | tcpinfo-csv --files-from=- --no-header --jobs 8 -o all.csv

Exit status: 0 on success; 1 for a missing, unreadable or corrupt input or a
line that is not an ArchivalRecord (one line on stderr: file:line: reason),
with the output of the inputs before it complete; with --skip-invalid such
inputs and lines are counted on stderr at the end and the status is 0.`,
  )
  .showHelpAfterError('(run tcpinfo-csv --help for usage)')
  .exitOverride();

async function main(): Promise<number> {
  // A closed pipe (| head, grep -q) is not an error of ours, --help's output included.
  exitOnStdoutError('tcpinfo-csv');
  try {
    program.parse();
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1;
  }
  const opts = program.opts<{
    columns: 'original' | 'all';
    keys?: boolean;
    format: 'csv' | 'jsonl' | 'parquet';
    output?: string;
    filesFrom?: string;
    header: boolean;
    jobs: number;
    skipInvalid?: boolean;
    progress: boolean;
  }>();
  const args = program.args;
  const plainFiles = opts.filesFrom === undefined && args.length > 0 && !args.includes('-');
  const bar = opts.progress && process.stderr.isTTY === true && plainFiles ? progressBar(process.stderr) : undefined;
  const sizes = bar ? args.map(sizeOf) : [];
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  let output: Writable = process.stdout;
  if (opts.output !== undefined) {
    const path = opts.output;
    const cannotWrite = (e: NodeJS.ErrnoException) => `tcpinfo-csv: ${path}: cannot write: ${e.code ?? e.message}\n`;
    try {
      output = new FileOutput(openSync(path, 'w'));
    } catch (err) {
      process.stderr.write(cannotWrite(err as NodeJS.ErrnoException));
      return 1;
    }
    // A write that fails later (a full disk) ends the run with one line, as for standard output.
    output.on('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(cannotWrite(e));
      process.exit(1);
    });
  }
  // The first worker starts now, beside this thread's loading of the converter (worker-spawn.ts).
  const earlyWorker = expectsSeveralInputs({ jobs: opts.jobs, args, filesFrom: opts.filesFrom, isDirectory }) ? new EarlyWorker() : undefined;
  const { convertInputs } = await import('./run.js');
  try {
    const result = await convertInputs({
      args,
      ...(opts.filesFrom !== undefined ? { filesFrom: opts.filesFrom } : {}),
      output,
      format: opts.format,
      columns: opts.columns,
      keys: opts.keys === true,
      header: opts.header,
      skipInvalid: opts.skipInvalid === true,
      jobs: opts.jobs,
      ...(earlyWorker ? { earlyWorker } : {}),
      // Progress by whole inputs (bytes of the files done): workers convert several at once.
      ...(bar ? { onInputDone: (i: number) => bar.update((done += sizes[i] ?? 0), total) } : {}),
    });
    bar?.finish();
    if (result.skippedLines > 0) {
      process.stderr.write(`tcpinfo-csv: skipped ${result.skippedLines} invalid line(s), e.g. ${result.skippedLineExamples[0]}\n`);
    }
    if (result.badInputs.length > 0) {
      for (const m of result.badInputs.slice(0, 5)) process.stderr.write(`tcpinfo-csv: skipped input: ${m}\n`);
      process.stderr.write(`tcpinfo-csv: skipped ${result.badInputs.length} of ${result.inputs} input(s)\n`);
    }
    return 0;
  } catch (err) {
    bar?.finish();
    process.stderr.write(`tcpinfo-csv: ${(err as Error).message}\n`);
    return 1;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // reported when listed
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // reported when converted
  }
}

main().then((code) => {
  process.exitCode = code;
});
