import { getAsset, isSea } from 'node:sea';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { DECODE_WORKER_MARK } from './decode-worker-thread';

/** The name under which the single executable carries its own script (build.mjs puts it there). */
export const SEA_SCRIPT_ASSET = 'kore-board.cjs';

/**
 * Starts a decoding worker thread, wherever this code runs from:
 * - the single executable (dist/kore-board) has no script file at all: it starts a copy of the script it carries
 *   as an asset, with DECODE_WORKER_MARK as workerData, and main.ts serves decoding instead of HTTP;
 * - the single-file bundle (dist/kore-board.mjs) has no worker file beside it, so it starts itself the same way;
 * - from source (tsx, vitest) the worker registers tsx itself and loads the worker module: Node 20 workers
 *   do not inherit tsx's loader, and vitest's module runner does not reach threads.
 */
export function spawnDecodeWorker(resourceLimits: ResourceLimits): Worker {
  const options = { workerData: DECODE_WORKER_MARK, resourceLimits };
  if (isSea()) return new Worker(getAsset(SEA_SCRIPT_ASSET, 'utf8'), { ...options, eval: true });
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const thread = JSON.stringify(new URL('./decode-worker-thread.ts', self).href);
  const code = `import(${tsx}).then((tsx) => { tsx.register(); return import(${thread}); }).then((thread) => thread.serveDecodeJobs());`;
  return new Worker(code, { eval: true, resourceLimits });
}
