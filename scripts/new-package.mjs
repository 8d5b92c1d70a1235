// Writes the boilerplate of one workspace package (package.json, tsconfig, tsup config).
// Usage: node scripts/new-package.mjs <dir> <name> <description> [dep ...] [--bin name]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, description, ...rest] = process.argv.slice(2);
const binIdx = rest.indexOf('--bin');
const bin = binIdx >= 0 ? rest[binIdx + 1] : undefined;
const deps = binIdx >= 0 ? rest.slice(0, binIdx) : rest;
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
const dependencies = Object.fromEntries(
  deps.map((d) => {
    const [n, v] = d.startsWith('@tcpinfo/') ? [d, 'workspace:*'] : d.split('@@');
    return [n, v];
  }),
);
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  keywords: ['tcp-info', 'measurement-lab', 'tcp', 'netlink', 'inet_diag', 'sock_diag'],
  repository: { type: 'git', url: 'git+https://github.com/m-lab/tcp-info-ts.git', directory: dir },
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20' },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  ...(bin ? { bin: { [bin]: './dist/bin.js' } } : {}),
  files: ['dist', 'README.md'],
  scripts: { build: 'tsup', typecheck: 'tsc -p tsconfig.json --noEmit' },
  dependencies,
  publishConfig: { access: 'public' },
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist' }, include: ['src'] }, null, 2) + '\n',
);
const entries = bin ? "['src/index.ts', 'src/bin.ts']" : "['src/index.ts']";
writeFileSync(
  join(dir, 'tsup.config.ts'),
  `import { packageConfig } from '../../tsup.config.base';\n\nexport default packageConfig(${entries});\n`,
);
if (!existsSync(join(dir, 'src/index.ts'))) writeFileSync(join(dir, 'src/index.ts'), 'export {};\n');
if (bin && !existsSync(join(dir, 'src/bin.ts'))) writeFileSync(join(dir, 'src/bin.ts'), '#!/usr/bin/env node\nexport {};\n');
