import type { Access } from '../access-token';
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
  /** Why the cluster shell is off, if it is. */
  clusterShellOff?: string;
}

/**
 * The demo cluster runs in the supervisor, so that every worker serves the same one; the access tokens, the session
 * secret and the terminal secret are resolved there once, and reach the workers here rather than through their
 * environment: every worker then accepts the sessions and terminal tokens any other minted.
 */
export interface PrimaryMessage extends ServeSetup {
  type: 'kore:setup';
}

/** A worker asks whether a terminal token's id is still unused (lib/node/workers/jti-ledger.ts); `id` pairs the answer. */
export interface JtiClaim {
  type: 'kore:jti-claim';
  id: number;
  jti: string;
  expiresAtMs: number;
}

/** The supervisor's answer: true the first time a jti is claimed, false ever after. */
export interface JtiAnswer {
  type: 'kore:jti-answer';
  id: number;
  claimed: boolean;
}

/** A worker asks for the pool's metrics: every worker's, summed by the supervisor (metrics-exposition.ts). */
export interface MetricsRequest {
  type: 'kore:metrics-request';
  id: number;
}

/** The pool's metrics in the Prometheus text format, or why the supervisor could not gather them. */
export type MetricsAnswer = { type: 'kore:metrics-answer'; id: number } & ({ text: string } | { error: string });

/** What a worker asks its supervisor, each question answered once (supervisor-requests.ts). */
export type WorkerRequest = JtiClaim | MetricsRequest;
export type SupervisorAnswer = JtiAnswer | MetricsAnswer;

/** Token ids are UUIDs; anything much longer is not one of ours. */
const MAX_JTI_LENGTH = 256;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    isObject(value) &&
    (value.type === 'kore:hello' ||
      (value.type === 'kore:ready' &&
        typeof value.url === 'string' &&
        Array.isArray(value.contexts) &&
        (value.clusterShellOff === undefined || typeof value.clusterShellOff === 'string')))
  );
}

function isAccess(value: unknown): value is Access {
  if (!isObject(value)) return false;
  if (value.mode === 'none' || value.mode === 'user') return true;
  return (
    value.mode === 'token' &&
    Array.isArray(value.tokens) &&
    value.tokens.every((t) => typeof t === 'string') &&
    ['value', 'file', 'data-dir'].includes(value.source as string) &&
    (value.path === undefined || typeof value.path === 'string')
  );
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  return (
    isObject(value) &&
    value.type === 'kore:setup' &&
    optionalString(value.demoKubeconfig) &&
    isAccess(value.access) &&
    typeof value.sessionSecret === 'string' &&
    typeof value.terminalSecret === 'string'
  );
}

export function isJtiClaim(value: unknown): value is JtiClaim {
  return (
    isObject(value) &&
    value.type === 'kore:jti-claim' &&
    Number.isSafeInteger(value.id) &&
    typeof value.jti === 'string' &&
    value.jti.length <= MAX_JTI_LENGTH &&
    Number.isFinite(value.expiresAtMs)
  );
}

export function isJtiAnswer(value: unknown): value is JtiAnswer {
  return (
    isObject(value) &&
    value.type === 'kore:jti-answer' &&
    Number.isSafeInteger(value.id) &&
    typeof value.claimed === 'boolean'
  );
}

export function isMetricsRequest(value: unknown): value is MetricsRequest {
  return isObject(value) && value.type === 'kore:metrics-request' && Number.isSafeInteger(value.id);
}

export function isMetricsAnswer(value: unknown): value is MetricsAnswer {
  return (
    isObject(value) &&
    value.type === 'kore:metrics-answer' &&
    Number.isSafeInteger(value.id) &&
    (typeof value.text === 'string' || typeof value.error === 'string')
  );
}
