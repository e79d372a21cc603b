import type { ClusterTransport, RegistryHost } from '../clusters/host';
import { fetchDispatcher } from './fetch-dispatcher';

/**
 * The registry's platform in an edge worker: requests go out through fetch; there are no files to read or watch
 * and no processes to run. Contexts needing those are refused before they get here (edge-registry.ts); these
 * answers are what a context that slipped through would meet.
 */

function noFiles(path: string): Promise<Uint8Array> {
  return Promise.reject(new Error(`the edge worker has no files (${path})`));
}

function fetchTransport(): ClusterTransport {
  const dispatcher = fetchDispatcher();
  return {
    dispatcher,
    // Upgrades (exec, attach, port-forward) cannot go through fetch: the dispatcher refuses them.
    upgradeDispatcher: dispatcher,
    setClientIdentity() {
      throw new Error('client certificates need an mTLS binding, which the edge worker does not configure');
    },
    close: () => dispatcher.destroy(),
  };
}

export const edgeHost: RegistryHost = {
  readFile: noFiles,
  runPlugin: () => Promise.resolve({ kind: 'error', message: 'the edge worker cannot run exec plugins' }),
  createTransport(options) {
    if (options.identity !== undefined)
      throw new Error('client certificates need an mTLS binding, which the edge worker does not configure');
    if (options.proxyUrl !== undefined) throw new Error('the edge worker connects with fetch, which takes no proxy');
    return fetchTransport();
  },
  watchFiles: () => ({ update: () => undefined, close: () => undefined }),
  env: {},
};
