import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const fixture = (file: string) => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));

// The relay is a shipped module file (dist/destroy-relay.js), started by path
// from either build; it joins the destroy groups and says so (the `ready`
// promise settles only on its joined marker).
describe('the destroy relay as a module file', () => {
  it.each([
    ['ESM', 'relay-from-dist.mjs', 'index.js'],
    ['CommonJS', 'relay-from-dist.cjs', 'index.cjs'],
  ])('starts from the %s build and joins the groups', (_format, script, entry) => {
    // Without vitest's NODE_PATH, which would hide a dependency the relay cannot resolve.
    const { NODE_PATH: _hidden, ...env } = process.env;
    const r = spawnSync(process.execPath, [fixture(script), dist(entry)], { encoding: 'utf8', env, timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('joined\n');
  });

  it('is built as its own entry that loads only the raw socket layer of `netlink`, nothing of ours but the frame constants', () => {
    const text = readFileSync(dist('destroy-relay.js'), 'utf8');
    expect(text).toContain('netlink/dist/raw.js');
    expect(text).not.toMatch(/@tcpinfo\//);
    const index = readFileSync(dist('index.js'), 'utf8');
    expect(index).not.toMatch(/\["-e"|'-e'|eval: true/);
  });
});
