/** The value after `--name` on the command line (a string), or `def`. */
export const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

/** URL of a workspace package's BUILT entry (the live suites load dist, as the daemon does). */
export const builtPackage = (name) => new URL(`../../packages/${name}/dist/index.js`, import.meta.url).href;
