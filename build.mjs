// Bundles the server into one file that runs with no node_modules beside it.
import { build } from 'esbuild';

await build({
  entryPoints: ['lib/node/main.ts'],
  outfile: 'dist/kore-board.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  sourcemap: 'linked',
  legalComments: 'eof',
  // Optional native addons stay outside the bundle; the code that loads them copes with their absence.
  external: ['node-pty', 'bufferutil', 'utf-8-validate'],
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __koreCreateRequire } from 'node:module'; const require = __koreCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log('built dist/kore-board.mjs');
