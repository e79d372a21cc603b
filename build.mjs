// @ts-check
/**
 * kore-board's build, `npm run build`:
 * - dist/kore-board.mjs: the server in one ES module that runs with `node` and no node_modules beside it: a small
 *   loader carrying the server's CommonJS bundle as a string and V8's code cache of it (see `bundle`);
 * - dist/kore-board: a Node single executable application (SEA) — a copy of this machine's `node` carrying the same
 *   server as one CommonJS script, the only form Node 20's SEA runs — that needs no Node installation at all.
 * `node build.mjs mjs` builds only the first. The benchmark bundles its own server with `bundle`.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
 * esbuild's options for the server as one CommonJS script: the form Node 20's SEA runs, and the one `vm.Script` compiles
 * with a code cache for the .mjs.
 * @param {string} entry
 * @param {string} outfile
 * @returns {import('esbuild').BuildOptions}
 */
function serverBuild(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.18',
    legalComments: 'eof',
    // Code that reads import.meta checks isSea() first (lib/node/decode-worker-spawn.ts); the .mjs defines its url.
    logOverride: { 'empty-import-meta': 'silent' },
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

/** What the loader passes the bundle for `import.meta.url`, which a CommonJS bundle has not got. */
const URL_PARAMETER = '__koreBoardUrl';

/**
 * Bundles `entry` the way kore-board ships as `dist/kore-board.mjs`. Node 20 has no compile cache for modules, and
 * compiling a 2.8 MB ES module was a third of the cold start (docs/shipping.md). So the file is a loader: the server as
 * a CommonJS bundle wrapped in a function, compiled with `vm.Script` from V8's code cache made here, after a start of
 * the bundle up to its first `/healthz` answer (makeCodeCache) so that the functions every start runs are in it. A Node whose V8 differs
 * rejects the cache (V8 checks its version and flags) and compiles the source as before.
 * @param {string} entry
 * @param {string} outfile
 */
export async function bundle(entry, outfile) {
  const work = await mkdtemp(join(tmpdir(), 'kore-board-bundle-'));
  try {
    const script = join(work, 'kore-board.cjs');
    await build({
      ...serverBuild(entry, script),
      // Native addons resolve from beside the .mjs, through the require the loader makes for its own path.
      external: NATIVE_ADDONS,
      define: { 'import.meta.url': URL_PARAMETER },
    });
    // main.ts's `#!` line would be a syntax error inside the function.
    const body = (await readFile(script, 'utf8')).replace(/^#!.*/, '');
    const source = `(function (exports, require, module, __filename, __dirname, ${URL_PARAMETER}) {${body}\n})`;
    const wrapped = join(work, 'wrapped.js');
    await writeFile(wrapped, source);
    const cache = join(work, 'code-cache.bin');
    await makeCodeCache(work, wrapped, cache);
    await writeFile(outfile, loaderSource(source, await readFile(cache)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Writes the script that starts the wrapped bundle once, as a user would, waits for its first `/healthz` answer, stops
 * it (SIGTERM), and saves V8's code cache of it as the process exits: after the run, the cache holds the functions a
 * start runs, not only the outer one. Returns its file name.
 * @param {string} dir
 */
async function writeCacheMaker(dir) {
  const name = 'make-code-cache.cjs';
  await writeFile(
    join(dir, name),
    `const { readFileSync, writeFileSync } = require('node:fs');
const { Script } = require('node:vm');
const { pathToFileURL } = require('node:url');
const file = process.env.KORE_BUNDLE_SOURCE;
const script = new Script(readFileSync(file, 'utf8'), { filename: file });
process.on('exit', () => writeFileSync(process.env.KORE_BUNDLE_CACHE, script.createCachedData()));
const mod = { exports: {} };
script.runInThisContext()(mod.exports, require, mod, file, __dirname, pathToFileURL(file).href);
const deadline = Date.now() + 30_000;
(async () => {
  while (!(await fetch(process.env.KORE_BUNDLE_HEALTHZ).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error('the bundle did not serve /healthz within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  process.kill(process.pid, 'SIGTERM');
})();
`,
  );
  return name;
}

/**
 * Starts the wrapped bundle with a one-context kubeconfig (its cluster unreachable: a start must not need one) on a
 * free loopback port, and writes V8's code cache of it to `cache`.
 * @param {string} work
 * @param {string} wrapped
 * @param {string} cache
 */
async function makeCodeCache(work, wrapped, cache) {
  const kubeconfig = join(work, 'kubeconfig');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [{ name: 'u', user: { token: 'build' } }],
      contexts: [{ name: 'build', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'build',
    }),
  );
  const port = await freePort();
  const flags = ['--listen', `127.0.0.1:${port}`, '--kubeconfig', kubeconfig, '--auth', 'none'];
  await run(process.execPath, [join(work, await writeCacheMaker(work)), ...flags, '--data-dir', join(work, 'data')], {
    env: {
      PATH: process.env.PATH,
      HOME: work,
      KORE_BUNDLE_SOURCE: wrapped,
      KORE_BUNDLE_CACHE: cache,
      KORE_BUNDLE_HEALTHZ: `http://127.0.0.1:${port}/healthz`,
    },
    timeout: 60_000,
  });
}

/** A loopback port nothing listens on. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * The .mjs: the wrapped bundle and its code cache, and the few lines that compile and call it.
 * @param {string} source
 * @param {Buffer} cache
 */
function loaderSource(source, cache) {
  return `#!/usr/bin/env node
// kore-board, bundled by build.mjs: the server's CommonJS bundle, compiled with V8's code cache made at build time.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
const file = fileURLToPath(import.meta.url);
const cachedData = Buffer.from(${JSON.stringify(cache.toString('base64'))}, 'base64');
const script = new Script(${JSON.stringify(source)}, { filename: file, cachedData });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file), import.meta.url);
`;
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
  await build({ ...serverBuild(ENTRY, script), plugins: [besideExecutable] });
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
