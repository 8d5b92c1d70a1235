import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Live tests run our code inside network namespaces, i.e. in child processes,
 * which load the built packages (Node 20 cannot run TypeScript). Build once per
 * test run; turbo's cache makes this ~1 s when nothing changed.
 */
export default function setup(): void {
  if (process.env.TCPINFO_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('.', import.meta.url));
  execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
}
