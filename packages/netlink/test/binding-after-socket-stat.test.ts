import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Node 20 loses its way in pnpm's symlinks when a socket was the last thing
// stat'ed before the lazy require of the binding (nodejs/node#51142): the
// daemon failed to start after finding a stale event socket. The loader must
// not depend on what other code in the process stat'ed.
it('loads the native binding after a numeric lstat of a socket file (built package, no NODE_PATH)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpinfo-binding-'));
  try {
    const sock = join(dir, 'stale.sock');
    spawnSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sock]);
    const fixture = fileURLToPath(new URL('./fixtures/binding-after-socket-stat.mjs', import.meta.url));
    // Without vitest's NODE_PATH, which lists pnpm's hoisted packages and would hide the bug.
    const { NODE_PATH: _hidden, ...env } = process.env;
    const r = spawnSync(process.execPath, [fixture, sock], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('opened\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
