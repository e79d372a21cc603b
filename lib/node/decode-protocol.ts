import type { JobArgs, JobName } from '../decode/jobs';
import { StatusError, toStatusError, type StatusDetails, type StatusReason } from '../errors';

/** Main thread → decoding worker: one job at a time. */
export type JobRequest<N extends JobName = JobName> = { job: N; args: JobArgs<N> };

/** A StatusError as it crosses threads (structured clone keeps no class). */
export interface WireFailure {
  reason: StatusReason;
  code: number;
  message: string;
  details: StatusDetails | undefined;
}

/** Decoding worker → main thread: ready once, then for each job every piece of its result and the end, or why the body was refused. */
export type WorkerReply = { ready: true } | { piece: unknown } | { done: true } | { failure: WireFailure };

export function toWire(err: unknown): WireFailure {
  const { reason, code, message, details } = toStatusError(err);
  return { reason, code, message, details };
}

export function fromWire({ reason, code, message, details }: WireFailure): StatusError {
  return new StatusError(reason, message, details, { code });
}
