// @ts-check
/**
 * kore-board's build, `npm run build`:
 * - dist/kore-board.mjs: the server in one ES module that runs with `node` and no node_modules beside it;
 * - dist/kore-board: a Node single executable application (SEA) — a copy of this machine's `node` carrying the same
 *   server as one CommonJS script, the only form Node 20's SEA runs — that needs no Node installation at all.
 * `node build.mjs mjs` builds only the first. The benchmark bundles its own server with `bundle`.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ENTRY = 'lib/node/main.ts';
/** Optional native addons: never bundled; the code that loads them copes with their absence. */
const NATIVE_ADDONS = ['node-pty', 'bufferutil', 'utf-8-validate'];
/** Must match SEA_SCRIPT_ASSET in lib/node/decode-worker-spawn.ts: the executable starts its decoding worker from it. */
const SEA_SCRIPT_ASSET = 'kore-board.cjs';
/** The fuse Node's binary carries for postject to flip (Node's SEA documentation gives this value). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * esbuild's options for the server, in either module format.
 * @param {string} entry
 * @param {string} outfile
 * @param {'esm' | 'cjs'} format
 * @returns {import('esbuild').BuildOptions}
 */
function serverBuild(entry, outfile, format) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20.18',
    sourcemap: format === 'esm' ? 'linked' : false,
    legalComments: 'eof',
    external: format === 'esm' ? NATIVE_ADDONS : [],
    plugins: format === 'cjs' ? [besideExecutable] : [],
    banner: {
      js:
        format === 'esm'
          ? // Bundled CommonJS dependencies call require(); give the ESM bundle one.
            "import { createRequire as __koreCreateRequire } from 'node:module'; const require = __koreCreateRequire(import.meta.url);"
          : '',
    },
    // In the executable, code that reads import.meta checks isSea() first (lib/node/decode-worker-spawn.ts).
    logOverride: format === 'cjs' ? { 'empty-import-meta': 'silent' } : {},
    logLevel: 'warning',
  };
}

/**
 * The executable's script gets a require() that loads only Node's built-in modules, so the native addons are loaded
 * with one made for the executable's own path: from a `node_modules` folder beside it, when one is there.
 * @type {import('esbuild').Plugin}
 */
const besideExecutable = {
  name: 'native-addons-beside-executable',
  setup(b) {
    const filter = new RegExp(`^(${NATIVE_ADDONS.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'beside-executable' }));
    b.onLoad({ filter: /.*/, namespace: 'beside-executable' }, (args) => ({
      contents: `module.exports = require('node:module').createRequire(process.execPath)(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Bundles `entry` the way kore-board ships as `dist/kore-board.mjs`.
 * @param {string} entry
 * @param {string} outfile
 */
export async function bundle(entry, outfile) {
  await build(serverBuild(entry, outfile, 'esm'));
}

const run = promisify(execFile);

/**
 * Builds the single executable: the CommonJS bundle, Node's SEA blob made from it (the script is also an asset, for
 * the worker thread), and a copy of the running `node` with the blob injected.
 * @param {string} outfile
 */
export async function buildExecutable(outfile) {
  const work = join(dirname(outfile), 'sea');
  await mkdir(work, { recursive: true });
  const script = join(work, SEA_SCRIPT_ASSET);
  await build(serverBuild(ENTRY, script, 'cjs'));
  const blob = join(work, 'kore-board.blob');
  const config = join(work, 'sea-config.json');
  await writeFile(
    config,
    JSON.stringify({
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      // V8's compile cache for the script: measured to take the cold start down (docs/shipping.md).
      useCodeCache: true,
      assets: { [SEA_SCRIPT_ASSET]: script },
    }),
  );
  await run(process.execPath, ['--experimental-sea-config', config]);
  await rm(outfile, { force: true });
  await copyFile(process.execPath, outfile);
  await chmod(outfile, 0o755);
  const { inject } = createRequire(import.meta.url)('postject');
  await inject(outfile, 'NODE_SEA_BLOB', await readFile(blob), { sentinelFuse: SEA_FUSE });
}

/** @param {string} path */
async function megabytes(path) {
  return ((await stat(path)).size / 1e6).toFixed(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  await bundle(ENTRY, 'dist/kore-board.mjs');
  console.log(`built dist/kore-board.mjs (${await megabytes('dist/kore-board.mjs')} MB)`);
  if (only !== 'mjs') {
    await buildExecutable('dist/kore-board');
    console.log(`built dist/kore-board (${await megabytes('dist/kore-board')} MB)`);
  }
}
