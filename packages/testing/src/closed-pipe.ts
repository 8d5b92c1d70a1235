import { spawn } from 'node:child_process';

/**
 * Runs a built command line with its standard output already closed, as when
 * the reader of a pipe stops early (`| head`, `grep -q`): every write fails with
 * EPIPE. Resolves with its exit status and everything it wrote on stderr.
 */
export async function runWithClosedStdout(bin: string, args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // closed before the child writes
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stderr };
}
