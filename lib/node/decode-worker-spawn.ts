import { Worker, type ResourceLimits } from 'node:worker_threads';
import { DECODE_WORKER_MARK } from './decode-worker-thread';

/**
 * Starts a decoding worker thread, wherever this code runs from:
 * - the single-file bundle (dist/kore-board.mjs) has no worker file beside it, so it starts itself with
 *   DECODE_WORKER_MARK as workerData, and main.ts serves decoding instead of HTTP;
 * - from source (tsx, vitest) the worker registers tsx itself and loads the worker module: Node 20 workers
 *   do not inherit tsx's loader, and vitest's module runner does not reach threads.
 */
export function spawnDecodeWorker(resourceLimits: ResourceLimits): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: DECODE_WORKER_MARK, resourceLimits });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const thread = JSON.stringify(new URL('./decode-worker-thread.ts', self).href);
  const code = `import(${tsx}).then((tsx) => { tsx.register(); return import(${thread}); }).then((thread) => thread.serveDecodeJobs());`;
  return new Worker(code, { eval: true, resourceLimits });
}
