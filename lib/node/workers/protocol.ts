import type { ServeSetup } from '../serve';
import type { ContextSummary } from '../startup-report';

/**
 * The messages between the supervising process and its workers, over the cluster IPC channel.
 * A worker asks for its set-up once it listens for the answer (a message sent earlier could be lost),
 * and reports when it serves.
 */
export type WorkerMessage = { type: 'kore:hello' } | ({ type: 'kore:ready' } & ReadyReport);

/** What a worker serves, once it does: its URL and the contexts it loaded. */
export interface ReadyReport {
  url: string;
  contexts: ContextSummary[];
}

/**
 * The demo cluster runs in the supervisor, so that every worker serves the same one; the access token is
 * resolved there once, and reaches the workers here rather than through their environment.
 */
export interface PrimaryMessage extends ServeSetup {
  type: 'kore:setup';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    isObject(value) &&
    (value.type === 'kore:hello' ||
      (value.type === 'kore:ready' && typeof value.url === 'string' && Array.isArray(value.contexts)))
  );
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  return (
    isObject(value) &&
    value.type === 'kore:setup' &&
    optionalString(value.demoKubeconfig) &&
    optionalString(value.authToken)
  );
}
