import { defineConfig, type Options } from 'tsup';

/** The build of every workspace package: ESM + CJS + types for Node 20. */
export function packageConfig(entry: string[]): ReturnType<typeof defineConfig> {
  // shims: `import.meta.url` in the CommonJS build (createRequire needs it).
  const options: Options = { entry, format: ['esm', 'cjs'], dts: true, clean: true, sourcemap: true, target: 'node20', shims: true };
  return defineConfig(options);
}
