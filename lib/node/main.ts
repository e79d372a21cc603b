#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createApp } from '../../handlers/app';
import { createAdmission } from '../admission';
import { systemClock } from '../clock';
import { createRegistry } from './registry';
import type { ClusterRegistry } from '../clusters/types';
import { demoKubeconfig } from '../demo-kubeconfig';
import { createLogger } from '../log';
import { createViewStore } from '../views/store';
import { startSim, type SimCluster } from '../sim';
import { parseCli, type CliConfig } from './cli';
import { fileContextStore } from './own-kubeconfig-file';
import { createRawFastPath } from './raw-fast-path';
import { startServer, type RunningServer } from './server';
import { rawUpgradeRoute } from './upgrade-proxy';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`kore-board: ${message}\nRun 'kore-board --help' for usage.\n`);
  process.exit(2);
}

/** Demo mode when asked, or when there is nothing else to serve: no kubeconfig file (ours included) and not in a pod. */
function wantsDemo(config: CliConfig, ownKubeconfig: string): boolean {
  return config.demo || (![...config.kubeconfigPaths, ownKubeconfig].some((p) => existsSync(p)) && !existsSync(IN_CLUSTER_TOKEN));
}

function printStartup(server: RunningServer, registry: ClusterRegistry, demo: boolean): void {
  const lines = [`kore-board listening on ${server.url}`];
  if (demo) {
    lines.push('', '  *** DEMO MODE: serving the built-in simulated cluster, not a real one. ***');
    lines.push('  *** Point --kubeconfig (or KUBECONFIG) at a real kubeconfig to use your clusters. ***', '');
  }
  const contexts = registry.contexts();
  const loaded = contexts.filter((c) => c.error === undefined);
  lines.push(`contexts loaded (${loaded.length}/${contexts.length}): ${loaded.map((c) => c.name).join(', ') || 'none'}`);
  for (const c of contexts) if (c.error !== undefined) lines.push(`context ${c.name} failed: ${c.error}`);
  // One write, so a reader that sees the first line sees them all.
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const parsed = parseCli(process.argv.slice(2), process.env, homedir(), delimiter);
  if (parsed.kind === 'error') fail(parsed.message);
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return;
  }
  const config = parsed.config;
  const log = createLogger(config.logLevel);
  // Contexts added through the API live here, read after the user's own files, which are never rewritten.
  const ownKubeconfig = join(config.dataDir, 'kubeconfig');
  const demo = wantsDemo(config, ownKubeconfig);

  let sim: SimCluster | undefined;
  if (demo) sim = await startSim({ fixture: 'demo' });
  const registry = await createRegistry({
    kubeconfigPaths: demo ? [ownKubeconfig] : [...config.kubeconfigPaths, ownKubeconfig],
    inlineSources: sim === undefined ? [] : [{ name: 'demo', yaml: demoKubeconfig(sim) }],
    inCluster: demo ? false : undefined,
    watch: true,
    clock: systemClock,
    log,
  });

  const security = { allowedHosts: config.allowHosts, allowOrigins: config.allowOrigins, authToken: config.authToken };
  const views = createViewStore({ registry, clock: systemClock, log });
  const contextStore = fileContextStore(ownKubeconfig, registry);
  const app = createApp({ registry, clock: systemClock, log, security, views, contextStore });
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
    fail(`cannot listen on ${config.listen.host}:${config.listen.port}: ${(err as Error).message}`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: finishing in-flight requests`);
    void server
      .close(SHUTDOWN_GRACE_MS)
      .then(() => {
        views.close();
        return Promise.all([registry.close(), sim?.close()]);
      })
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Only after the handlers: whoever reads the URL may signal at once, and an unhandled SIGINT kills with no exit code.
  printStartup(server, registry, demo);
}

main().catch((err: unknown) => {
  process.stderr.write(`kore-board: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
