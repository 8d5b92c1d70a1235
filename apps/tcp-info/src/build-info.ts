import { createRequire } from 'node:module';

/** Set by tsup at build time (tsup.config.ts); absent when run from the sources. */
declare const __TCPINFO_REVISION__: string | undefined;

/** What is running: the package version, the git commit it was built from, Node's version. */
export interface BuildInfo {
  readonly version: string;
  /** Short git commit of the build, `unknown` when built outside a git checkout or run from the sources. */
  readonly revision: string;
  readonly nodeVersion: string;
}

/** The build info of this package (package.json is beside dist/ and src/ alike, and shipped in the tarball). */
export function buildInfo(): BuildInfo {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  const revision = typeof __TCPINFO_REVISION__ === 'string' && __TCPINFO_REVISION__ !== '' ? __TCPINFO_REVISION__ : 'unknown';
  return { version, revision, nodeVersion: process.version };
}

/** `tcp-info 0.1.0 (revision abc1234, node v20.20.2)`: the `-version` output and the start of the start-up line. */
export function formatBuildInfo(info: BuildInfo): string {
  return `tcp-info ${info.version} (revision ${info.revision}, node ${info.nodeVersion})`;
}
