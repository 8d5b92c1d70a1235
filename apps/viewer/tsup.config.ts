import { defineConfig, type Options } from 'tsup';
import { packageConfig } from '../../tsup.config.base';

// The package (Node) plus the report page's script: one IIFE for browsers,
// read by html.ts at run time and inlined into every report.
const node = packageConfig(['src/index.ts', 'src/bin.ts']) as Options;
const page: Options = {
  entry: { view: 'src/page/main.js' },
  outDir: 'dist/page',
  format: ['iife'],
  platform: 'browser',
  target: 'es2020',
  minify: true,
  dts: false,
  sourcemap: false,
  clean: false,
};

// The Node build cleans dist/ but must not delete the page bundle built beside it.
export default defineConfig([{ ...node, clean: ['!page/**'] }, page]);
