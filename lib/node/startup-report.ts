import type { Access } from './access-token';

/** What a serving process knows about one context at start-up. */
export interface ContextSummary {
  name: string;
  error?: string;
}

/** How callers get in. A token is printed only when it is kore-board's own: one the operator gave may be in shared logs. */
function accessLines(url: string, access: Access): string[] {
  if (access.mode === 'none') return ['access: anyone who can reach this address (--auth none)'];
  if (access.mode === 'user')
    return [
      'access: each person signs in with their own Kubernetes token, checked with the current context (--auth user)',
    ];
  if (access.source === 'data-dir') {
    const file = access.path ?? 'the token file';
    return [
      `sign in a browser: ${url}/?token=${access.tokens[0] ?? ''}`,
      `scripts: Authorization: Bearer $(cat ${file})`,
      `kubectl: kubectl --server "${url}/token/$(cat ${file})/raw/clusters/<context>" ...`,
    ];
  }
  return [
    `access: callers present an access token ${access.source === 'file' ? `in ${access.path ?? 'the token file'}` : 'you gave'}`,
  ];
}

/**
 * The start-up lines: the URL first (scripts wait for it), how to get in, the demo warning, the contexts and each
 * failure with why, and why the web terminal's cluster shell is off when it is.
 */
export function startupReport(
  url: string,
  contexts: readonly ContextSummary[],
  demo: boolean,
  workers: number,
  access: Access,
  clusterShellOff?: string,
): string {
  const lines = [
    `kore-board listening on ${url}${workers > 1 ? ` (${workers} worker processes)` : ''}`,
    ...accessLines(url, access),
  ];
  if (demo) {
    lines.push('', '  *** DEMO MODE: serving the built-in simulated cluster, not a real one. ***');
    lines.push('  *** Point --kubeconfig (or KUBECONFIG) at a real kubeconfig to use your clusters. ***', '');
  }
  const loaded = contexts.filter((c) => c.error === undefined);
  lines.push(
    `contexts loaded (${loaded.length}/${contexts.length}): ${loaded.map((c) => c.name).join(', ') || 'none'}`,
  );
  for (const c of contexts) if (c.error !== undefined) lines.push(`context ${c.name} failed: ${c.error}`);
  if (clusterShellOff !== undefined)
    lines.push(`web terminal: pod and container sessions on; cluster shell off: ${clusterShellOff}`);
  return lines.join('\n') + '\n';
}
