// Bundles the server into one file that runs with no node_modules beside it. `npm run build`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Bundles `entry` the way kore-board ships; the benchmark bundles its own server with the same options. */
export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.18',
    sourcemap: 'linked',
    legalComments: 'eof',
    // Optional native addons stay outside the bundle; the code that loads them copes with their absence.
    external: ['node-pty', 'bufferutil', 'utf-8-validate'],
    // Bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __koreCreateRequire } from 'node:module'; const require = __koreCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle('lib/node/main.ts', 'dist/kore-board.mjs');
  console.log('built dist/kore-board.mjs');
}
