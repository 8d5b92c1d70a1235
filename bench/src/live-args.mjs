import { execFileSync } from 'node:child_process';

/** The value after `--name` on the command line (a string), or `def`. */
export const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

/** URL of a workspace package's BUILT entry (the live suites load dist, as the daemon does). */
export const builtPackage = (name) => new URL(`../../packages/${name}/dist/index.js`, import.meta.url).href;

/**
 * Inside namespace `ns` (already added): loopback up and a veth pair with both
 * ends inside, A = 192.0.2.1 / 2001:db8::1, B = 192.0.2.2 / 2001:db8::2, as
 * @tcpinfo/testing's Netns builds for the tests (documentation ranges, never
 * loopback, so the daemon keeps the connections, and nothing leaves the machine).
 */
export function addVethPair(ns) {
  const inNs = (...a) => execFileSync('ip', ['-n', ns, ...a], { stdio: 'pipe' });
  inNs('link', 'set', 'lo', 'up');
  inNs('link', 'add', 'vtA', 'type', 'veth', 'peer', 'name', 'vtB');
  inNs('addr', 'add', '192.0.2.1/24', 'dev', 'vtA');
  inNs('addr', 'add', '192.0.2.2/24', 'dev', 'vtB');
  inNs('addr', 'add', '2001:db8::1/64', 'dev', 'vtA', 'nodad');
  inNs('addr', 'add', '2001:db8::2/64', 'dev', 'vtB', 'nodad');
  inNs('link', 'set', 'vtA', 'up');
  inNs('link', 'set', 'vtB', 'up');
}
