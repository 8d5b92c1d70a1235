import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.config.base';

// The library (index) keeps the workspace packages as dependencies, so its
// classes are theirs. The command line (bin) is bundled with the parts of them
// it uses: that leaves out the netlink socket binding (`netlink`), whose loading
// alone cost ~75 ms of CPU at every start. Both builds share dist/, which the
// build script empties first (tsup runs the two at once, so neither may clean).
const library = packageConfig(['src/index.ts']);
export default defineConfig([
  ...(Array.isArray(library) ? library : [library]).map((options) => ({ ...options, clean: false })),
  {
    entry: ['src/bin.ts'],
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    clean: false,
    noExternal: [/^@tcpinfo\//],
    external: ['zstd-napi', 'commander'],
    esbuildPlugins: [
      {
        // An unused import of an external package is kept unless it is known
        // to be free of side effects; the socket binding is.
        name: 'netlink-binding-without-side-effects',
        setup(build) {
          build.onResolve({ filter: /^netlink$/ }, () => ({ path: 'netlink', external: true, sideEffects: false }));
        },
      },
    ],
  },
]);
