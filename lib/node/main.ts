#!/usr/bin/env node
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { delimiter } from 'node:path';
import { demoKubeconfig } from '../demo-kubeconfig';
import { errorMessage } from '../errors';
import { createLogger, type Logger } from '../log';
import type { SimCluster } from '../sim';
import { resolveAccess, resolveSessionSecret, type Access } from './access-token';
import { parseCli, type CliConfig } from './cli';
import { DataDirSecretError } from './data-dir-secret';
import { isDecodeWorker, serveDecodeJobs } from './decode-worker-thread';
import { DEFAULT_HEALTHZ_URL, healthcheck } from './healthcheck';
import { ListenError } from './listen';
import { TlsFilesError } from './tls-files';
import { ownKubeconfigPath, serve, type ServeSetup, type Serving } from './serve';
import { startupReport } from './startup-report';
import { onStopSignals } from './stop-signals';
import { startWorkers } from './workers/pool';
import { setupFromPrimary, tellPrimary } from './workers/worker-side';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`kore-board: ${message}\nRun 'kore-board --help' for usage.\n`);
  process.exit(2);
}

/** Demo mode when asked, or when there is nothing else to serve: no kubeconfig file (ours included) and not in a pod. */
function wantsDemo(config: CliConfig): boolean {
  return (
    config.demo ||
    (![...config.kubeconfigPaths, ownKubeconfigPath(config)].some((p) => existsSync(p)) &&
      !existsSync(IN_CLUSTER_TOKEN))
  );
}

/** A bad address or TLS pair is the user's to fix (exit 2, like a bad flag); anything else is ours (exit 1, from main). */
async function serveOrFail(config: CliConfig, setup: ServeSetup, log: Logger): Promise<Serving> {
  try {
    return await serve(config, setup, log);
  } catch (err) {
    if (err instanceof ListenError || err instanceof TlsFilesError) fail(err.message);
    throw err;
  }
}

/** How callers get in, decided once per kore-board (the supervisor's, with `--workers`). */
interface SignIn {
  access: Access;
  sessionSecret: string;
}

function setupOf(config: CliConfig, sim: SimCluster | undefined, { access, sessionSecret }: SignIn): ServeSetup {
  return {
    demoKubeconfig: sim === undefined ? undefined : demoKubeconfig(sim),
    access,
    sessionSecret,
    terminalSecret: config.terminal.secret ?? randomBytes(32).toString('base64url'),
  };
}

function contextSummaries(serving: Serving) {
  return serving.registry
    .contexts()
    .map((c) => (c.error === undefined ? { name: c.name } : { name: c.name, error: c.error }));
}

/** One of `--workers N`: serves with the set-up its supervisor hands over, and reports when it does. */
async function runWorker(config: CliConfig, log: Logger): Promise<void> {
  let serving: Serving | undefined;
  // From the start: the supervisor may stop a worker it is still starting.
  onStopSignals(() => void (serving?.close(SHUTDOWN_GRACE_MS) ?? Promise.resolve()).then(() => process.exit(0)));
  const setup = await setupFromPrimary();
  serving = await serveOrFail(config, setup, log);
  tellPrimary({
    type: 'kore:ready',
    url: serving.server.url,
    contexts: contextSummaries(serving),
    clusterShellOff: serving.clusterShellOff,
  });
}

/** `--workers 1`: this process serves. */
async function runAlone(config: CliConfig, log: Logger, sim: SimCluster | undefined, signIn: SignIn): Promise<void> {
  const serving = await serveOrFail(config, setupOf(config, sim, signIn), log);
  onStopSignals((signal) => {
    log.info(`${signal} received: finishing in-flight requests`);
    void serving
      .close(SHUTDOWN_GRACE_MS)
      .then(() => sim?.close())
      .then(() => process.exit(0));
  });
  // Only after the handlers: whoever reads the URL may signal at once, and an unhandled SIGINT kills with no exit code.
  process.stdout.write(
    startupReport(
      serving.server.url,
      contextSummaries(serving),
      sim !== undefined,
      1,
      signIn.access,
      serving.clusterShellOff,
    ),
  );
}

/** `--workers N`: this process supervises N that serve. */
async function runSupervisor(
  config: CliConfig,
  log: Logger,
  sim: SimCluster | undefined,
  signIn: SignIn,
): Promise<void> {
  let gaveUp = false;
  const started = await startWorkers({
    count: config.workers,
    setup: setupOf(config, sim, signIn),
    log,
    onGiveUp: (reason) => {
      log.error(`${reason}; stopping`);
      gaveUp = true;
      process.kill(process.pid, 'SIGTERM');
    },
  });
  if (started.kind === 'failed') {
    await sim?.close();
    process.exit(started.exitCode);
  }
  const { pool } = started;
  onStopSignals((signal) => {
    log.info(`${signal} received: the workers finish their in-flight requests`);
    void pool.stop(signal).then(async (clean) => {
      await sim?.close();
      process.exit(clean && !gaveUp ? 0 : 1);
    });
  });
  const { ready } = pool;
  process.stdout.write(
    startupReport(ready.url, ready.contexts, sim !== undefined, config.workers, signIn.access, ready.clusterShellOff),
  );
}

async function main(): Promise<void> {
  const parsed = parseCli(process.argv.slice(2), process.env, homedir(), delimiter, availableParallelism());
  if (parsed.kind === 'error') fail(parsed.message);
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return;
  }
  const config = parsed.config;
  const log = createLogger(config.logLevel);
  if (cluster.isWorker) return runWorker(config, log);
  for (const warning of parsed.warnings) log.warn(warning);
  const signIn = await Promise.all([resolveAccess(config), resolveSessionSecret(config)]).then(
    ([access, sessionSecret]) => ({ access, sessionSecret }),
    (err: unknown) => {
      if (err instanceof DataDirSecretError) return fail(err.message);
      throw err;
    },
  );
  // The demo cluster lives here, in the supervisor when there is one: one cluster for every worker.
  // Loaded only for the demo: the simulator (with node-forge for its PKI) is a third of the bundle, and evaluating
  // it would slow every start.
  const sim = wantsDemo(config) ? await (await import('../sim')).startSim({ fixture: 'demo' }) : undefined;
  return config.workers === 1 ? runAlone(config, log, sim, signIn) : runSupervisor(config, log, sim, signIn);
}

// The bundle is also its own decoding worker (lib/node/decode-worker-spawn.ts).
if (isDecodeWorker()) {
  serveDecodeJobs();
} else if (process.argv[2] === 'healthcheck') {
  void healthcheck(process.argv[3] ?? DEFAULT_HEALTHZ_URL).then((code) => process.exit(code));
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`kore-board: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
