// Compiles same-words.wat into ../src/same-words-wasm.ts (the bytes the cache
// instantiates), or with --check, exits 1 when that file (or the file after
// --target) is not what the .wat compiles to. wabt (a devDependency) is only
// needed here, never at run time.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const bytes = await compileWat(readFileSync(here('./same-words.wat'), 'utf8'));
const text = renderModule(bytes);
const at = process.argv.indexOf('--target');
const target = at > 0 ? process.argv[at + 1] : here('../src/same-words-wasm.ts');
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error(`${target} is not what wasm/same-words.wat compiles to: run \`pnpm --filter @tcpinfo/cache wasm\``);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${bytes.length} bytes of WebAssembly)`);
}

/** The binary module of a .wat text (SIMD enabled). */
async function compileWat(text) {
  const w = await wabt();
  const module = w.parseWat('same-words.wat', text, { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The TypeScript module holding `bytes`. */
function renderModule(bytes) {
  const rows = [];
  for (let i = 0; i < bytes.length; i += 16) rows.push(`  ${[...bytes.subarray(i, i + 16)].join(', ')},`);
  return [
    '// Generated from wasm/same-words.wat by wasm/compile.mjs (`pnpm --filter @tcpinfo/cache wasm`): do not edit.',
    '// test/same-words-wasm.test.ts checks that it is what the .wat compiles to.',
    'export const SAME_WORDS_WASM = new Uint8Array([',
    ...rows,
    ']);',
    '',
  ].join('\n');
}
