import { execFileSync } from 'node:child_process';
import type { Options } from 'tsup';
import { packageConfig } from '../../tsup.config.base';

/** The short commit of the checkout being built; '' outside git (a tarball, a docker stage without .git). */
function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

// The revision goes into tcpinfo_build_info and -version (src/build-info.ts).
export default { ...(packageConfig(['src/index.ts', 'src/bin.ts']) as Options), define: { __TCPINFO_REVISION__: JSON.stringify(gitRevision()) } };
