import { readFile } from 'node:fs/promises';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { openRegistry, type InlineSource } from '../clusters/context-registry';
import type { RegistryHost } from '../clusters/host';
import { IN_CLUSTER_DEFAULTS, type InClusterOptions } from '../clusters/in-cluster';
import type { ClusterRegistry } from '../clusters/types';
// The Node adapters are wired in here; everything in lib/clusters sees them only as RegistryHost.
import { createTransport } from './cluster-transport';
import { watchFiles } from './file-watch';
import { runPlugin } from './plugin-process';

export type { InlineSource } from '../clusters/context-registry';
export { IN_CLUSTER_CONTEXT, type InClusterOptions } from '../clusters/in-cluster';

export interface RegistryOptions {
  /** The KUBECONFIG list or the --kubeconfig flags, in precedence order. Missing files are skipped. */
  kubeconfigPaths: readonly string[];
  /**
   * Files among kubeconfigPaths that anyone but the operator may have written (kore-board's own file): a
   * context defined there, or using a cluster or user from there, that would run an exec plugin (unless
   * allowExec) or read a file loads as a broken context. Default: none, every file is trusted as kubectl trusts it.
   */
  inlineOnly?: { paths: readonly string[]; allowExec: boolean };
  /** In-memory kubeconfigs, after the files in precedence. A function is called again on every reload. */
  inlineSources?: readonly InlineSource[] | (() => readonly InlineSource[]);
  /** The pod's service account as `kubernetes@in-cluster`; `false` to never offer it. Paths default to the standard mount. */
  inCluster?: Partial<InClusterOptions> | false;
  /** Reload when a kubeconfig (or a certificate it names) is edited, deleted or re-created. */
  watch: boolean;
  clock: Clock;
  log: Logger;
  /** How long a token read from a file is used before the file is read again (default 5 s). */
  tokenFileTtlMs?: number;
  /** How long an exec plugin may run (default 30 s). */
  execTimeoutMs?: number;
  /** Quiet time after a file event before reloading (default 200 ms). */
  watchDebounceMs?: number;
  /** How long requests on a replaced connection may still run (default 30 s). */
  closeGraceMs?: number;
  /** Offer HTTP/2 to clusters for plain requests (default false). */
  allowH2?: boolean;
  /** Environment for exec plugins and KUBERNETES_SERVICE_HOST/PORT (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Loads every source once, then keeps the registry current (file watch, reload()). */
export function createRegistry(options: RegistryOptions): Promise<ClusterRegistry> {
  const closeGraceMs = options.closeGraceMs ?? 30_000;
  const host: RegistryHost = {
    readFile: (path) => readFile(path),
    runPlugin,
    createTransport: (transport) =>
      createTransport(transport, { allowH2: options.allowH2 ?? false, retireGraceMs: closeGraceMs }),
    watchFiles: (onChange) => watchFiles(onChange, { debounceMs: options.watchDebounceMs ?? 200, log: options.log }),
    env: options.env ?? process.env,
  };
  const inline = options.inlineSources;
  return openRegistry(
    {
      kubeconfigPaths: options.kubeconfigPaths,
      inlineOnly: options.inlineOnly ?? { paths: [], allowExec: false },
      inlineSources: typeof inline === 'function' ? inline : () => inline ?? [],
      inCluster: options.inCluster === false ? false : { ...IN_CLUSTER_DEFAULTS, ...options.inCluster },
      watch: options.watch,
      clock: options.clock,
      log: options.log,
      tokenFileTtlMs: options.tokenFileTtlMs ?? 5_000,
      execTimeoutMs: options.execTimeoutMs ?? 30_000,
      closeGraceMs,
    },
    host,
  );
}
