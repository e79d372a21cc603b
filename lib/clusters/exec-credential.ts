import type { ExecApiVersion, ExecPlan } from './context-plan';

/**
 * The client.authentication.k8s.io ExecCredential protocol, as client-go speaks it: what the plugin is
 * told (KUBERNETES_EXEC_INFO), how its answer is checked, and how its failures read.
 */

export const EXEC_INFO_ENV = 'KUBERNETES_EXEC_INFO';

/** What a plugin gave us. Certificate and key are PEM text (not base64), as the protocol defines. */
export interface ExecCredential {
  token?: string;
  clientCertificatePem?: string;
  clientKeyPem?: string;
  /** Epoch milliseconds; absent means valid until the cluster answers 401. */
  expiresAt?: number;
}

/** How running the plugin ended, as the platform reports it. */
export type PluginOutcome =
  | { kind: 'ok'; stdout: string }
  | { kind: 'not-found' }
  | { kind: 'exit'; code: number | null; signal: string | null; stderr: string }
  | { kind: 'timeout'; ms: number }
  | { kind: 'error'; message: string };

/** The KUBERNETES_EXEC_INFO value: never interactive; the cluster only when provideClusterInfo is set. */
export function execInfo(plan: ExecPlan, caData: Uint8Array | undefined): string {
  const spec: Record<string, unknown> = { interactive: false };
  if (plan.provideClusterInfo) {
    const cluster: Record<string, unknown> = { ...plan.cluster };
    if (caData !== undefined) cluster['certificate-authority-data'] = Buffer.from(caData).toString('base64');
    spec.cluster = cluster;
  }
  return JSON.stringify({ kind: 'ExecCredential', apiVersion: plan.apiVersion, spec });
}

/** The plugin's environment: ours, then the kubeconfig's `env` list on top, then KUBERNETES_EXEC_INFO. */
export function execEnv(
  base: Readonly<Record<string, string | undefined>>,
  plan: ExecPlan,
  info: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  for (const { name, value } of plan.env) env[name] = value;
  env[EXEC_INFO_ENV] = info;
  return env;
}

/** Checks a plugin's stdout the way client-go does. Throws an Error whose message never quotes the output. */
export function parseExecCredential(stdout: string, apiVersion: ExecApiVersion): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error('exec plugin did not print an ExecCredential (stdout is not JSON)');
  }
  if (typeof doc !== 'object' || doc === null) throw new Error('exec plugin did not print an ExecCredential object');
  const { kind, apiVersion: returned, status } = doc as { kind?: unknown; apiVersion?: unknown; status?: unknown };
  if (kind !== 'ExecCredential')
    throw new Error(`exec plugin returned kind ${JSON.stringify(kind ?? '')}, expected ExecCredential`);
  if (returned !== apiVersion) {
    throw new Error(
      `exec plugin is configured to use API version ${apiVersion}, plugin returned version ${String(returned)}`,
    );
  }
  if (typeof status !== 'object' || status === null) throw new Error("exec plugin didn't return a status field");
  const s = status as Record<string, unknown>;
  const text = (field: string): string | undefined => {
    const value = s[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`exec plugin returned a non-string status.${field}`);
    return value;
  };
  const token = text('token');
  const cert = text('clientCertificateData');
  const key = text('clientKeyData');
  const expiry = text('expirationTimestamp');
  if (token === undefined && cert === undefined && key === undefined)
    throw new Error("exec plugin didn't return a token or cert/key pair");
  if ((cert === undefined) !== (key === undefined))
    throw new Error('exec plugin returned only certificate or key, not both');
  const credential: ExecCredential = {};
  if (token !== undefined) credential.token = token;
  if (cert !== undefined && key !== undefined) {
    credential.clientCertificatePem = cert;
    credential.clientKeyPem = key;
  }
  if (expiry !== undefined) {
    const at = Date.parse(expiry);
    if (Number.isNaN(at)) throw new Error('exec plugin returned an invalid status.expirationTimestamp (want RFC 3339)');
    credential.expiresAt = at;
  }
  return credential;
}

const STDERR_TAIL = 500;

/** A failed run as a message: what happened, the plugin's last words on stderr, and its installHint. */
export function describePluginFailure(plan: ExecPlan, outcome: Exclude<PluginOutcome, { kind: 'ok' }>): string {
  let message: string;
  switch (outcome.kind) {
    case 'not-found':
      message = `exec: executable ${plan.command} not found`;
      break;
    case 'exit': {
      const how = outcome.code !== null ? `with exit code ${outcome.code}` : `by signal ${outcome.signal ?? 'unknown'}`;
      const stderr = outcome.stderr.trim();
      message = `exec: executable ${plan.command} failed ${how}`;
      if (stderr !== '') message += `: ${stderr.length > STDERR_TAIL ? '…' + stderr.slice(-STDERR_TAIL) : stderr}`;
      break;
    }
    case 'timeout':
      message = `exec: executable ${plan.command} did not finish within ${outcome.ms % 1000 === 0 ? `${outcome.ms / 1000}s` : `${outcome.ms} ms`}`;
      break;
    case 'error':
      message = `exec: executable ${plan.command}: ${outcome.message}`;
      break;
  }
  return plan.installHint === undefined ? message : `${message}\n\n${plan.installHint}`;
}
