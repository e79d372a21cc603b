import { runJob, type JobArgs, type JobName, type JobPiece } from './jobs';

/**
 * Turns request bodies into what the routes work with, within each route's budget. Injected: Node decodes
 * in a worker thread (lib/node/worker-decoder.ts) so that no body holds up other requests.
 */
export interface BodyDecoder {
  /**
   * Runs `job` and gathers its pieces; rejects with a StatusError for a body refused as a whole.
   * Byte arrays among `args` may be handed over to another thread, leaving the caller's copy empty.
   */
  run<N extends JobName>(job: N, args: JobArgs<N>): Promise<Array<JobPiece<N>>>;
}

/** Decodes on the calling thread, on any runtime: where there are no workers, the platform bounds a request's CPU time. */
export const inlineDecoder: BodyDecoder = {
  async run(job, args) {
    return [...runJob(job, args)];
  },
};
