import { spawn } from 'node:child_process';

/**
 * Runs `node script ...args` where the script (csv-child.mjs) reports its own CPU
 * cost as JSON on fd 3. Resolves with that cost and the number of lines of its
 * standard output; `onStdout` sees every chunk (to hash it or keep its head).
 * Rejects with the child's standard error when it exits non-zero.
 */
export function runCostedChild(script, args, onStdout = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let newlines = 0;
    let stderr = '';
    let cost = '';
    child.stdout.on('data', (chunk) => {
      onStdout(chunk);
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    });
    child.stderr.on('data', (c) => (stderr += c));
    child.stdio[3].on('data', (c) => (cost += c));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`exit ${status}: ${stderr.trim()}`));
      resolve({ ...JSON.parse(cost), newlines });
    });
  });
}
