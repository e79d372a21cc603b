import cluster from 'node:cluster';
import { join } from 'node:path';
import { systemClock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import { LOG_LEVELS, type Logger } from '../log';
import { accessLogTo } from '../telemetry/access-log';
import { systemTimers } from '../terminal/timers';
import { createTelemetryRegistry } from '../telemetry/registry';
import { registerScrapeHealth } from '../telemetry/scrape-health';
import type { Access } from './access-token';
import type { CliConfig } from './cli';
import { openClusterShell } from './cluster-shell';
import { startKoreServer, type KoreServer } from './kore-server';
import { startMetricsSource } from './metrics-source';
import { nodeAuthentication } from './node-authentication';
import { createRegistry } from './registry';
import type { RunningServer } from './server';
import { readTlsPair } from './tls-files';
import { uiFiles } from './ui-files';
import { workerJtiLedger } from './workers/jti-ledger';
import { workerMetricsExposition } from './workers/metrics-exposition';
import { processChannel } from './workers/supervisor-requests';

/** One serving kore-board: the registry, the app and the HTTP server, as one process (or one worker) runs them. */
export interface Serving {
  server: RunningServer;
  registry: ClusterRegistry;
  /** Why the web terminal's cluster shell is off here (node-pty missing, not on loopback…); undefined when it is on. */
  clusterShellOff: string | undefined;
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
  /** How callers get in (`--auth`), with the static tokens of token mode. */
  access: Access;
  /** Signs or encrypts session tokens: `--session-secret` or the data dir's, the same for every worker. */
  sessionSecret: string;
  /**
   * Signs the web terminal's tokens: `--terminal-secret`, else random per start. Made once, so that every worker
   * accepts the tokens any other minted.
   */
  terminalSecret: string;
}

/** Builds and starts everything that serves requests. Rejects when the address cannot be listened on. */
export async function serve(
  config: CliConfig,
  { demoKubeconfig, access, sessionSecret, terminalSecret }: ServeSetup,
  log: Logger,
): Promise<Serving> {
  const ownKubeconfig = ownKubeconfigPath(config);
  const demo = demoKubeconfig !== undefined;
  // First: a pair that cannot serve stops the start (TlsFilesError) before anything else is made.
  const tls = config.tls === undefined ? undefined : { files: config.tls, pair: await readTlsPair(config.tls) };
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
  const metrics = await startMetricsSource({
    registry,
    config: config.metrics,
    snapshotPath: demo ? undefined : join(config.dataDir, snapshotName),
    clock: systemClock,
    log,
  });
  const telemetry = createTelemetryRegistry();
  if (metrics.scrapes !== undefined) registerScrapeHealth(telemetry, metrics.scrapes);
  const clusterShell = await openClusterShell({
    registry,
    listenHost: config.listen.host,
    beyondLoopback: config.terminal.shell,
    log,
  });
  const signIn = nodeAuthentication({
    access,
    sessionSecret,
    secureCookies: config.tls !== undefined,
    registry,
    clock: systemClock,
    log,
  });
  let kore: KoreServer;
  try {
    kore = await startKoreServer({
      registry,
      security: { allowedHosts: config.allowHosts, allowOrigins: config.allowOrigins, auth: signIn.auth },
      log,
      listen: config.listen,
      tls,
      limits: config.limits,
      addedContexts: { path: ownKubeconfig, allowExec: config.allowAddedContextExec },
      ui: config.uiDir === undefined ? undefined : uiFiles(config.uiDir),
      metrics: metrics.source,
      metricsListen: config.metrics.listen,
      telemetry,
      ...(cluster.isWorker
        ? { telemetryExposition: workerMetricsExposition(telemetry, processChannel(), systemTimers) }
        : {}),
      // At level info, like the logger's own lines: a level above info silences it too.
      accessLog:
        config.accessLog && LOG_LEVELS.indexOf(config.logLevel) <= LOG_LEVELS.indexOf('info')
          ? accessLogTo((line) => process.stderr.write(`${line}\n`))
          : undefined,
      terminal: {
        secret: new TextEncoder().encode(terminalSecret),
        // A worker claims token ids from its supervisor's ledger, so a token opens one session across all workers.
        ...(cluster.isWorker ? { ledger: workerJtiLedger(processChannel(), systemTimers) } : {}),
        idleMs: config.terminal.idleMs,
        max: config.terminal.max,
        clusterShell,
      },
    });
  } catch (err) {
    signIn.close();
    await clusterShell.close();
    await metrics.close();
    await registry.close();
    throw err;
  }
  // After listening: the first scrape's work would otherwise delay the first answer.
  metrics.start();
  return {
    server: kore.server,
    registry,
    clusterShellOff: clusterShell.unavailable(),
    close: async (graceMs) => {
      await kore.close(graceMs);
      signIn.close();
      // Shells still open are ended, their HOMEs removed.
      await clusterShell.close();
      await metrics.close();
      await registry.close();
    },
  };
}
