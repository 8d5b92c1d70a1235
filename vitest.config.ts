import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import each workspace package from its source, so `pnpm test` needs no build.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@tcpinfo\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'bench/test/**/*.test.mjs'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Live tests create network namespaces; keep files from racing on names.
    fileParallelism: true,
  },
});
