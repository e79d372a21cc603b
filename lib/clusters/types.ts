import type { Dispatcher } from 'undici';
import type { KubeconfigEntries } from './kubeconfig-view';

/** One kubeconfig context as the API shows it. Never holds a secret: this object is serialized as is. */
export interface ContextInfo {
  name: string;
  cluster: string;
  server: string;
  user: string;
  namespace: string;
  inCluster: boolean;
  /** Where the context was read from: a kubeconfig path, `in-cluster`, or kore-board's own file. */
  source: string;
  /** Why the context cannot be used; absent when it loaded. */
  error?: string;
}

/**
 * Headers that authenticate one request as the context's user (bearer token, impersonation), with
 * lower-case names. A list value is sent as one header line per item: Kubernetes reads every
 * `Impersonate-Group` line as one group, and a comma-joined value would be a single group.
 */
export type CredentialHeaders = Readonly<Record<string, string | string[]>>;

/** A loaded context, ready to send requests. Replaced (and closed) when its kubeconfig changes. */
export interface ClusterConnection {
  readonly context: ContextInfo;
  /** The cluster's base URL, possibly with a path prefix (e.g. behind Rancher). */
  readonly server: URL;
  /** Pooled dispatcher for plain requests: TLS, client certificate and proxy already applied. */
  readonly dispatcher: Dispatcher;
  /** HTTP/1.1-only dispatcher for upgrades (exec, attach, port-forward). */
  readonly upgradeDispatcher: Dispatcher;
  /**
   * Authentication headers for the next request; may run an exec plugin or read a token file.
   * Rejects with StatusError 503 when no credentials can be obtained (plugin failed, file unreadable).
   * The same object is returned until the credentials change.
   */
  credentials(): Promise<CredentialHeaders>;
  /**
   * Called after the cluster answered 401: drops cached credentials (exec plugin, token file).
   * Resolves true when fresh credentials were obtained, so one retry may succeed.
   * Pass the object `credentials()` gave the failed request: when others already refreshed since,
   * nothing runs again (concurrent 401s cause one plugin run, not one each).
   */
  refreshCredentials(used?: CredentialHeaders): Promise<boolean>;
  /**
   * The same cluster (server, CA, TLS and proxy settings) reached with `Authorization: Bearer <token>` and nothing
   * else: no client certificate, exec plugin, kubeconfig token or impersonation, and no refresh (a 401 is final).
   * For `--auth user` (lib/clusters/principal-connection.ts). Throws StatusError 503 once the context was replaced.
   */
  asBearer(token: string): ClusterConnection;
}

export interface RegistryChange {
  /** Names of contexts added, removed or changed by a reload. */
  changed: string[];
}

/** The set of clusters kore-board serves, loaded from kubeconfig files and the in-cluster service account. */
export interface ClusterRegistry {
  contexts(): readonly ContextInfo[];
  currentContext(): string | undefined;
  /** The connection for a context. Throws StatusError: 404 unknown context, 503 context that failed to load. */
  connection(name: string): ClusterConnection;
  /**
   * The context's cluster, context and user entries as `kubectl config view` prints them (secrets redacted,
   * lib/clusters/kubeconfig-view.ts); a broken context shows what it has. Throws StatusError 404 unknown context.
   */
  kubeconfigEntries(name: string): KubeconfigEntries;
  /**
   * A kubeconfig (YAML) holding this context alone, real credentials inline (files read, exec plugins as written):
   * for a process on this host acting as the context (lib/clusters/standalone-kubeconfig.ts), never for a client.
   * Rejects with StatusError 404 unknown context, 503 a context that failed to load or a file that cannot be read.
   */
  standaloneKubeconfig(name: string): Promise<string>;
  /** Re-reads every source; connections of changed contexts are replaced, their agents closed. */
  reload(): Promise<RegistryChange>;
  /** Called after every reload that changed something. Returns the unsubscribe function. */
  onChange(listener: (change: RegistryChange) => void): () => void;
  close(): Promise<void>;
}
