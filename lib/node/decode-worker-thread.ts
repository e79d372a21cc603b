import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runJob } from '../decode/jobs';
import { toWire, type JobRequest, type WorkerReply } from './decode-protocol';

/** The workerData that tells the single-file bundle, started as a worker, to decode rather than serve (main.ts). */
export const DECODE_WORKER_MARK = 'kore-board:decode-worker';

export function isDecodeWorker(): boolean {
  return !isMainThread && workerData === DECODE_WORKER_MARK;
}

/** The worker's side: says it is ready, then runs each job it is sent and replies with every piece as it comes, then the outcome. */
export function serveDecodeJobs(): void {
  const port = parentPort;
  if (port === null) throw new Error('serveDecodeJobs runs in a worker thread');
  const reply = (message: WorkerReply) => port.postMessage(message);
  port.on('message', ({ job, args }: JobRequest) => {
    try {
      for (const piece of runJob(job, args)) reply({ piece });
      reply({ done: true });
    } catch (err) {
      reply({ failure: toWire(err) });
    }
  });
  reply({ ready: true });
}
