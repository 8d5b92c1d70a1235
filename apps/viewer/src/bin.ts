#!/usr/bin/env node
import { exitOnStdoutError } from '@tcpinfo/cli';
import { Command } from 'commander';
import { prepareReport } from './report.js';
import { writeChunksToFile, writeChunksToStream } from './write-chunks.js';

// A reader that stops early (`| head`, `grep -q`) closes the pipe: that is not an error.
exitOnStdoutError('tcpinfo-view');

const program = new Command()
  .name('tcpinfo-view')
  .description('Turn tcp-info connection files (.jsonl or .jsonl.zst) into one self-contained, interactive HTML report.')
  .argument('[files...]', 'input files (.jsonl or .jsonl.zst, detected by content); "-" or none: standard input')
  .option('-o, --output <file>', 'write the report to this file (default: standard output, unless that is a terminal)')
  .addHelpText(
    'after',
    `
Each connection gets a header (UUID, addresses, start, duration, congestion
control, final byte counts) and charts over its life: throughput, cwnd and
ssthresh, RTT, retransmissions and losses, pacing rate and BBR bandwidth,
receive window. Several connections also get a sortable overview table.
Records without a header line (the original's test archives) are grouped by
socket cookie. The page needs no network access to open.

Examples:
  tcpinfo-view conn.jsonl.zst -o conn.html
  tcpinfo-view /var/spool/tcp-info/2024/05/01/*.jsonl.zst -o day.html
  zstd -dc conn.jsonl.zst | tcpinfo-view > conn.html

Exit status: 0 on success; 1 for a missing or unreadable file, a line that is
not an ArchivalRecord (one line on stderr: file:line: reason), or an output
that cannot be written.`,
  )
  .showHelpAfterError('(run tcpinfo-view --help for usage)')
  .exitOverride();

async function main(): Promise<number> {
  try {
    program.parse();
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1;
  }
  const { output } = program.opts<{ output?: string }>();
  if (output === undefined && process.stdout.isTTY === true) {
    process.stderr.write('tcpinfo-view: not printing HTML to a terminal; give -o report.html or redirect standard output\n');
    return 1;
  }
  try {
    // Everything is read before the output is opened: a bad input leaves no half-written file.
    const report = await prepareReport(program.args);
    if (output === undefined) await writeChunksToStream(process.stdout, report.chunks);
    else writeChunksToFile(output, report.chunks);
    if (report.damage !== undefined) {
      // The report holds what was read before the damage; the damage is still an error.
      process.stderr.write(`tcpinfo-view: ${report.damage.message}\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { path?: string };
    // Errors of the input already name file and line; a write error names the output.
    const message = e.code !== undefined && e.syscall !== undefined ? `${output}: cannot write: ${e.code}` : e.message;
    process.stderr.write(`tcpinfo-view: ${message}\n`);
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
