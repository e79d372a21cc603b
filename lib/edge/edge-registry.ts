import { openRegistry } from '../clusters/context-registry';
import { StatusError } from '../errors';
import type { Clock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import type { Logger } from '../log';
import { edgeRefusal } from './edge-limits';
import { edgeHost } from './edge-host';

/** Where the worker's clusters come from: shown as the contexts' source. */
export const KUBECONFIG_SOURCE = 'KUBECONFIG (worker secret)';

/**
 * The registry of an edge worker: the contexts of one kubeconfig held in memory (the worker's secret), no files, no
 * watching, no in-cluster account. A context the worker cannot reach (edge-limits.ts) answers 501 naming why.
 */
export async function openEdgeRegistry(kubeconfig: string, clock: Clock, log: Logger): Promise<ClusterRegistry> {
  const inner = await openRegistry(
    {
      kubeconfigPaths: [],
      // Nothing is read from files and nothing runs, so the restriction meant for uploaded kubeconfigs adds nothing.
      inlineOnly: { paths: [], allowExec: false },
      inlineSources: () => (kubeconfig.trim() === '' ? [] : [{ name: KUBECONFIG_SOURCE, yaml: kubeconfig, dir: '/' }]),
      inCluster: false,
      watch: false,
      clock,
      log,
      tokenFileTtlMs: 5_000,
      execTimeoutMs: 0,
      closeGraceMs: 0,
    },
    edgeHost,
  );
  return {
    ...inner,
    connection(name) {
      const refusal = edgeRefusal(inner.kubeconfigEntries(name));
      if (refusal !== undefined)
        throw new StatusError('NotImplemented', `context "${name}": ${refusal}`, { kind: 'Context', name });
      return inner.connection(name);
    },
  };
}
