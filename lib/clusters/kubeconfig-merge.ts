import type { Entry, KubeconfigFile } from './kubeconfig-parse';
import type { KubeconfigCluster, KubeconfigContext, KubeconfigUser } from './kubeconfig-schema';

/** The view of several kubeconfig files kubectl works with. */
export interface MergedKubeconfig {
  clusters: ReadonlyMap<string, Entry<KubeconfigCluster>>;
  users: ReadonlyMap<string, Entry<KubeconfigUser>>;
  contexts: ReadonlyMap<string, Entry<KubeconfigContext>>;
  currentContext: string | undefined;
}

/**
 * Merges files the way kubectl merges a KUBECONFIG list: for each cluster, user and context name the
 * first file that defines it wins whole (later files' fields for that name are ignored, not combined),
 * and `current-context` comes from the first file that sets one.
 */
export function mergeKubeconfigs(files: readonly KubeconfigFile[]): MergedKubeconfig {
  const firstWins = <T>(lists: Entry<T>[][]): Map<string, Entry<T>> => {
    const merged = new Map<string, Entry<T>>();
    for (const list of lists) for (const entry of list) if (!merged.has(entry.name)) merged.set(entry.name, entry);
    return merged;
  };
  return {
    clusters: firstWins(files.map((f) => f.clusters)),
    users: firstWins(files.map((f) => f.users)),
    contexts: firstWins(files.map((f) => f.contexts)),
    currentContext: files.find((f) => f.currentContext !== undefined)?.currentContext,
  };
}
