/** What a serving process knows about one context at start-up. */
export interface ContextSummary {
  name: string;
  error?: string;
}

/** The start-up lines: the URL first (scripts wait for it), then the demo warning, the contexts and each failure with why. */
export function startupReport(url: string, contexts: readonly ContextSummary[], demo: boolean, workers: number): string {
  const lines = [`kore-board listening on ${url}${workers > 1 ? ` (${workers} worker processes)` : ''}`];
  if (demo) {
    lines.push('', '  *** DEMO MODE: serving the built-in simulated cluster, not a real one. ***');
    lines.push('  *** Point --kubeconfig (or KUBECONFIG) at a real kubeconfig to use your clusters. ***', '');
  }
  const loaded = contexts.filter((c) => c.error === undefined);
  lines.push(`contexts loaded (${loaded.length}/${contexts.length}): ${loaded.map((c) => c.name).join(', ') || 'none'}`);
  for (const c of contexts) if (c.error !== undefined) lines.push(`context ${c.name} failed: ${c.error}`);
  return lines.join('\n') + '\n';
}
