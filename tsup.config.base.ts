import { defineConfig, type Options } from 'tsup';

/** The build of every workspace package: ESM + CJS + types for Node 20. */
export function packageConfig(entry: string[]): ReturnType<typeof defineConfig> {
  const options: Options = { entry, format: ['esm', 'cjs'], dts: true, clean: true, sourcemap: true, target: 'node20' };
  return defineConfig(options);
}
