import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { systemClock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import type { Logger } from '../log';
import type { CliConfig } from './cli';
import { startKoreServer, type KoreServer } from './kore-server';
import { startEmbeddedMetrics } from './embedded-metrics';
import { createRegistry } from './registry';
import type { RunningServer } from './server';
import { uiFiles } from './ui-files';

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

/** `--terminal-secret`, else a random one: tokens then open sessions only in the process that minted them. */
function terminalSecret(config: CliConfig): Uint8Array {
  const { secret } = config.terminal;
  return secret === undefined ? randomBytes(32) : new TextEncoder().encode(secret);
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
  // With --workers, each worker scrapes and keeps its own window (and snapshot file).
  const snapshotName = cluster.isWorker ? `metrics-${cluster.worker?.id ?? 0}.snapshot` : 'metrics.snapshot';
  const metrics = await startEmbeddedMetrics({
    registry,
    config: config.metrics,
    snapshotPath: demo ? undefined : join(config.dataDir, snapshotName),
    clock: systemClock,
    log,
  });
  let kore: KoreServer;
  try {
    kore = await startKoreServer({
      registry,
      security: { allowedHosts: config.allowHosts, allowOrigins: config.allowOrigins, authToken },
      log,
      listen: config.listen,
      addedContexts: { path: ownKubeconfig, allowExec: config.allowAddedContextExec },
      ui: config.uiDir === undefined ? undefined : uiFiles(config.uiDir),
      metrics: metrics.source,
      metricsListen: config.metrics.listen,
      terminal: {
        secret: terminalSecret(config),
        idleMs: config.terminal.idleMs,
        max: config.terminal.max,
        clusterShell: undefined,
      },
    });
  } catch (err) {
    await metrics.close();
    await registry.close();
    throw err;
  }
  return {
    server: kore.server,
    registry,
    close: async (graceMs) => {
      await kore.close(graceMs);
      await metrics.close();
      await registry.close();
    },
  };
}
