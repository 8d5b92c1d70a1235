import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** True when this process can create network namespaces (root). */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Explains loudly, once per file, why live tests are skipped. Use as
 * `describe.skipIf(!isRoot)(...)` plus a call to this in the file.
 */
export function warnIfNotRoot(what: string): void {
  if (!isRoot) {
    process.stderr.write(`\n*** SKIPPED (needs root for network namespaces): ${what} ***\n\n`);
  }
}

/**
 * A private network namespace with a veth pair whose two ends both live inside it:
 * end A has 192.0.2.1 / 2001:db8::1, end B 192.0.2.2 / 2001:db8::2 (documentation
 * ranges, reachable only inside the namespace). Connections between A and B are
 * not loopback, so the daemon's exclusion rules keep them, and nothing leaves the
 * machine.
 */
export class Netns {
  static readonly v4 = ['192.0.2.1', '192.0.2.2'] as const;
  static readonly v6 = ['2001:db8::1', '2001:db8::2'] as const;

  private constructor(readonly name: string) {}

  static create(): Netns {
    const name = `tcpinfo-test-${process.pid}-${randomBytes(3).toString('hex')}`;
    const ns = new Netns(name);
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
    ip('netns', 'add', name);
    try {
      const inNs = (...args: string[]) => ip('-n', name, ...args);
      inNs('link', 'set', 'lo', 'up');
      inNs('link', 'add', 'vtA', 'type', 'veth', 'peer', 'name', 'vtB');
      inNs('addr', 'add', `${Netns.v4[0]}/24`, 'dev', 'vtA');
      inNs('addr', 'add', `${Netns.v4[1]}/24`, 'dev', 'vtB');
      inNs('addr', 'add', `${Netns.v6[0]}/64`, 'dev', 'vtA', 'nodad');
      inNs('addr', 'add', `${Netns.v6[1]}/64`, 'dev', 'vtB', 'nodad');
      inNs('link', 'set', 'vtA', 'up');
      inNs('link', 'set', 'vtB', 'up');
    } catch (err) {
      ns.destroy();
      throw err;
    }
    return ns;
  }

  /** Runs a command inside the namespace and returns its stdout. */
  exec(cmd: string, args: readonly string[] = [], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  }

  /** Starts a command inside the namespace. */
  spawn(cmd: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: 'pipe', ...options });
  }

  /** Deletes the namespace (its sockets die with it). Safe to call twice. */
  destroy(): void {
    try {
      execFileSync('ip', ['netns', 'delete', this.name], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  }
}
