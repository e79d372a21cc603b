import { join } from 'node:path';
import { createApp } from '../../handlers/app';
import { createAdmission } from '../admission';
import { systemClock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import type { Logger } from '../log';
import { createViewStore } from '../views/store';
import type { CliConfig } from './cli';
import { fileContextStore } from './own-kubeconfig-file';
import { createRawFastPath } from './raw-fast-path';
import { createRegistry } from './registry';
import { startServer, type RunningServer } from './server';
import { createWorkerDecoder, DECODE_LIMITS } from './worker-decoder';
import { rawUpgradeRoute } from './upgrade-proxy';

/** One serving kore-board: the registry, the app and the HTTP server, as one process (or one worker) runs them. */
export interface Serving {
  server: RunningServer;
  registry: ClusterRegistry;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then releases everything. */
  close(graceMs: number): Promise<void>;
}

/** Contexts added through the API live here, read after the user's own files, which are never rewritten. */
export function ownKubeconfigPath(config: CliConfig): string {
  return join(config.dataDir, 'kubeconfig');
}

/** What is decided once per kore-board, before any process serves (the supervisor's, with `--workers`). */
export interface ServeSetup {
  /** The built-in cluster's context (YAML) in demo mode: then the user's kubeconfig files and the in-cluster account are not read. */
  demoKubeconfig: string | undefined;
  /** The token every caller presents; undefined with `--auth none`. */
  authToken: string | undefined;
}

/** Builds and starts everything that serves requests. Rejects when the address cannot be listened on. */
export async function serve(
  config: CliConfig,
  { demoKubeconfig, authToken }: ServeSetup,
  log: Logger,
): Promise<Serving> {
  const ownKubeconfig = ownKubeconfigPath(config);
  const demo = demoKubeconfig !== undefined;
  const registry = await createRegistry({
    kubeconfigPaths: demo ? [ownKubeconfig] : [...config.kubeconfigPaths, ownKubeconfig],
    inlineOnly: { paths: [ownKubeconfig], allowExec: config.allowAddedContextExec },
    inlineSources: demo ? [{ name: 'demo', yaml: demoKubeconfig }] : [],
    inCluster: demo ? false : undefined,
    watch: true,
    clock: systemClock,
    log,
  });
  const security = { allowedHosts: config.allowHosts, allowOrigins: config.allowOrigins, authToken };
  const views = createViewStore({ registry, clock: systemClock, log });
  const decoder = createWorkerDecoder(DECODE_LIMITS);
  const contextStore = fileContextStore(ownKubeconfig, registry, { allowExec: config.allowAddedContextExec, decoder });
  const app = createApp({ registry, clock: systemClock, log, security, views, contextStore, decoder });
  const release = async () => {
    views.close();
    await decoder.close();
    await registry.close();
  };
  let server: RunningServer;
  try {
    server = await startServer({
      fetch: app.fetch,
      host: config.listen.host,
      port: config.listen.port,
      admit: createAdmission(security),
      fastPaths: [createRawFastPath(registry)],
      upgrades: [rawUpgradeRoute(registry)],
      log,
    });
  } catch (err) {
    await release();
    throw err;
  }
  return {
    server,
    registry,
    close: async (graceMs) => {
      await server.close(graceMs);
      await release();
    },
  };
}
