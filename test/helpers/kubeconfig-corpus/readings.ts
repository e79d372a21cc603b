/**
 * What a KUBECONFIG list means, in one shape both readers are brought to: kubectl (test/helpers/kubeconfig-corpus/kubectl.ts)
 * and kore-board's registry (test/helpers/kubeconfig-corpus/ours.ts). `differences` says where they disagree.
 */
import { isDeepStrictEqual } from 'node:util';

/** Certificate or key material: inline (`*-data`) or read from a file, known by its first line (its label). */
export interface Source {
  from: 'data' | 'file';
  firstLine: string;
}

export type Auth =
  | { kind: 'none' }
  /** What is sent as the bearer token (the token file's content while readable, else `token`), and the file. */
  | { kind: 'token'; bearer?: string; tokenFile?: string }
  | { kind: 'basic'; username: string; password: string }
  | {
      kind: 'exec';
      command: string;
      args: string[];
      env: Record<string, string>;
      apiVersion: string;
      provideClusterInfo: boolean;
      installHint?: string;
    };

export interface Impersonation {
  user: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** How a usable context connects. */
export interface Connect {
  /**
   * Scheme, credentials and host:port requests go to. kubectl's is the one it logged sending (-v=6), so it is
   * absent when kubectl failed before sending (an unreadable token file) and then not compared.
   */
  url?: string;
  ca?: Source;
  insecure: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  clientCert?: { cert: Source; key: Source };
  auth: Auth;
  impersonate?: Impersonation;
}

export interface ContextReading {
  cluster: string;
  user: string;
  namespace: string;
  server: string;
  usable: boolean;
  /** The certificate or key file that could not be read, when that is why the context is unusable. */
  unreadable?: string;
  /** Present when usable. */
  connect?: Connect;
  /** Why it is unusable, in the reader's words: shown, never compared (the wording is each reader's own). */
  problem?: string;
}

/** A list either reader refused as a whole (kubectl does, for one bad file), or what it defines. */
export type Reading = { refused: string } | { current?: string; contexts: Record<string, ContextReading> };

export interface Difference {
  /** `list`, `current-context`, `context NAME`, or `context NAME: field`. */
  at: string;
  kubectl: unknown;
  ours: unknown;
}

/** Where requests go, as both readers are compared: scheme, user:password if any, host and port. */
export function origin(url: URL): string {
  const userinfo = url.username === '' && url.password === '' ? '' : `${url.username}:${url.password}@`;
  return `${url.protocol}//${userinfo}${url.host}`;
}

/** An Impersonate-Extra-* header's key as the API server reads it: unescaped, in lower case (header names have no case). */
export const extraKey = (header: string): string =>
  decodeURIComponent(header.slice('impersonate-extra-'.length)).toLowerCase();

export const firstLine = (content: string): string => content.split('\n')[0] ?? '';

const LISTED = ['cluster', 'user', 'namespace', 'server', 'usable', 'unreadable'] as const;
const CONNECT = ['url', 'ca', 'insecure', 'tlsServerName', 'proxyUrl', 'clientCert', 'auth', 'impersonate'] as const;

/** Each context as it fared: `usable`, or why not. What a refused list is compared with. */
function outcomes(reading: Reading): Record<string, string> | string {
  if ('refused' in reading) return reading.refused;
  return Object.fromEntries(
    Object.entries(reading.contexts).map(([name, c]) => [name, c.usable ? 'usable' : (c.problem ?? 'unusable')]),
  );
}

/** Where the readings disagree, in a stable order: the list, the current context, then each context's fields. */
export function differences(kubectl: Reading, ours: Reading): Difference[] {
  if ('refused' in kubectl || 'refused' in ours) {
    return isDeepStrictEqual(kubectl, ours) ? [] : [{ at: 'list', kubectl: outcomes(kubectl), ours: outcomes(ours) }];
  }
  const found: Difference[] = [];
  const differ = (at: string, k: unknown, o: unknown) => {
    if (!isDeepStrictEqual(k, o)) found.push({ at, kubectl: k, ours: o });
  };
  differ('current-context', kubectl.current, ours.current);
  const names = [...new Set([...Object.keys(kubectl.contexts), ...Object.keys(ours.contexts)])].sort();
  for (const name of names) {
    const k = kubectl.contexts[name];
    const o = ours.contexts[name];
    if (k === undefined || o === undefined) {
      found.push({ at: `context ${name}`, kubectl: k, ours: o });
      continue;
    }
    for (const field of LISTED) differ(`context ${name}: ${field}`, k[field], o[field]);
    if (k.connect === undefined || o.connect === undefined) continue;
    for (const field of CONNECT) {
      if (field !== 'url' || k.connect.url !== undefined)
        differ(`context ${name}: ${field}`, k.connect[field], o.connect[field]);
    }
  }
  return found;
}
