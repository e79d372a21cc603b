import type { Worker } from 'node:worker_threads';
import type { BodyDecoder } from '../decode/decoder';
import type { JobArgs, JobName, JobPiece } from '../decode/jobs';
import { StatusError } from '../errors';
import { fromWire, type JobRequest, type WorkerReply } from './decode-protocol';
import { spawnDecodeWorker } from './decode-worker-spawn';

export interface WorkerDecoderOptions {
  /** How long one body may take to decode; past it the worker is terminated, and another started for the next body. */
  timeoutMs: number;
  /** The worker's heap, so that a body that needs more costs its own request, not the process. */
  maxHeapMb: number;
}

export interface WorkerDecoder extends BodyDecoder {
  /** Terminates the worker; a body still decoding is refused. */
  close(): Promise<void>;
}

/**
 * Decodes request bodies in one worker thread, one body at a time, so that the event loop (and /healthz)
 * never waits on a parse: a 10 MiB manifest takes seconds to decode. The worker starts with the first body.
 */
export function createWorkerDecoder(options: WorkerDecoderOptions): WorkerDecoder {
  let worker: { thread: Worker; ready: Promise<void> } | undefined;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const start = () => {
    const thread = spawnDecodeWorker({ maxOldGenerationSizeMb: options.maxHeapMb });
    // Requests keep the process alive while they wait for it; an idle worker should not.
    thread.unref();
    // A worker that stops is not reused; the job in flight, if any, hears why through its own listeners.
    thread
      .on('error', () => undefined)
      .once('exit', () => {
        if (worker?.thread === thread) worker = undefined;
      });
    const ready = new Promise<void>((resolve, reject) => {
      thread.once('message', () => resolve());
      thread.once('exit', (code) =>
        reject(new StatusError('InternalError', `the decoding worker did not start (exit code ${code})`)),
      );
    });
    return { thread, ready };
  };

  async function decode<N extends JobName>(job: N, args: JobArgs<N>): Promise<Array<JobPiece<N>>> {
    if (closed) throw new StatusError('ServiceUnavailable', 'kore-board is shutting down');
    const current = (worker ??= start());
    // The time limit is the body's: it starts once the worker is ready, not while it loads.
    await current.ready;
    const { thread } = current;
    return new Promise((resolve, reject) => {
      const pieces: Array<JobPiece<N>> = [];
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        thread.off('message', onMessage).off('error', onError).off('exit', onExit);
        outcome();
      };
      // A worker that failed or ran out of time is not reused: the next body gets a fresh one.
      const fail = (error: StatusError) =>
        settle(() => {
          if (worker === current) worker = undefined;
          void thread.terminate();
          reject(error);
        });
      const onMessage = (reply: WorkerReply) => {
        if ('piece' in reply) pieces.push(reply.piece as JobPiece<N>);
        else if ('done' in reply) settle(() => resolve(pieces));
        else if ('failure' in reply) settle(() => reject(fromWire(reply.failure)));
      };
      const onError = (err: Error & { code?: string }) =>
        fail(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new StatusError(
                'RequestEntityTooLarge',
                `the request body needs more than ${options.maxHeapMb} MB to decode (the limit)`,
              )
            : new StatusError('InternalError', `decoding the request body failed: ${err.message}`),
        );
      const onExit = (code: number) =>
        fail(new StatusError('InternalError', `the decoding worker stopped (exit code ${code})`));
      const timer = setTimeout(
        () =>
          fail(
            new StatusError(
              'RequestEntityTooLarge',
              `the request body took longer than ${options.timeoutMs / 1000} s to decode (the limit)`,
            ),
          ),
        options.timeoutMs,
      );
      thread.on('message', onMessage).on('error', onError).on('exit', onExit);
      // Bodies move to the worker rather than being copied there.
      const bodies = Object.values(args).flatMap((value) =>
        value instanceof Uint8Array && value.buffer instanceof ArrayBuffer ? [value.buffer] : [],
      );
      thread.postMessage({ job, args } satisfies JobRequest<N>, bodies);
    });
  }

  return {
    run(job, args) {
      const next = queue.then(() => decode(job, args));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      closed = true;
      await worker?.thread.terminate();
      worker = undefined;
    },
  };
}

/**
 * The yaml library reads ~1 MB/s: the slowest bodies within the caps (10 MiB of documents, or one document
 * near the node cap) took 7-12 s here, and ~500 MB of heap for the one document's syntax tree and value.
 * The time is wall-clock time: on two cores shared with other busy processes the 10 MiB body took over 30 s.
 * The caps bound the work; these limits are the backstop, and what passes them is refused (413), not the process.
 */
export const DECODE_LIMITS: WorkerDecoderOptions = { timeoutMs: 60_000, maxHeapMb: 1024 };
