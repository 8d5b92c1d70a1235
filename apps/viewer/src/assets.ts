import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The files a report inlines, so it opens without network access. */
export interface PageAssets {
  readonly uplotScript: string;
  readonly uplotStyle: string;
  readonly pageScript: string;
}

let cached: PageAssets | undefined;

/**
 * uPlot's browser build and stylesheet (from the installed package) and the
 * page's own script (dist/page/view.global.js, built by tsup). From the
 * built package the script sits beside this module's chunk; from source
 * (tests) it is looked up in ../dist.
 */
export function pageAssets(): PageAssets {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const read = (path: string) => readFileSync(path, 'utf8');
  const candidates = ['./page/view.global.js', '../dist/page/view.global.js'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const pagePath = candidates.find((p) => existsSync(p));
  if (pagePath === undefined) throw new Error(`the report page's script is missing (looked for ${candidates.join(', ')}); build the package first`);
  cached = {
    uplotScript: read(require.resolve('uplot/dist/uPlot.iife.min.js')),
    uplotStyle: read(require.resolve('uplot/dist/uPlot.min.css')),
    pageScript: read(pagePath),
  };
  return cached;
}
