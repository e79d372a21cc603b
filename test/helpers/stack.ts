/**
 * The whole kore-board stack as `main.ts` wires it — a registry with the user's kubeconfig and kore-board's own
 * file, served by startKoreServer (lib/node/kore-server.ts) with the file-backed context store — in front of a
 * simulated cluster, on ephemeral ports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecurityOptions } from '../../handlers/app';
import { systemClock, type Clock } from '../../lib/clock';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { demoKubeconfig } from '../../lib/demo-kubeconfig';
import { silentLogger, type Logger } from '../../lib/log';
import { startKoreServer, type TerminalOptions } from '../../lib/node/kore-server';
import { createWorkerDecoder, DECODE_LIMITS } from '../../lib/node/worker-decoder';
import type { MetricsSource } from '../../lib/metrics/types';
import { startSim, type SimCluster, type SimOptions } from '../../lib/sim';

export const CONTEXT = 'sim';

export interface Stack {
  sim: SimCluster;
  registry: ClusterRegistry;
  /** kore-board's base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** `${url}/raw/clusters/sim` */
  raw: string;
  dir: string;
  /** The user's kubeconfig (context `sim`) and kore-board's own file. */
  userKubeconfig: string;
  ownKubeconfig: string;
  close(): Promise<void>;
}

/**
 * `allowAddedContextExec` is the --allow-added-context-exec flag; `metrics` makes the metrics routes' source;
 * `terminal` turns the web terminal on; `clock` and `log` are the server's (default: the system's, silent);
 * `decodeTimeoutMs` replaces DECODE_LIMITS' time limit of one body's decoding.
 */
export async function startStack(
  simOptions: SimOptions = {},
  securityOptions: Partial<SecurityOptions> = {},
  {
    allowAddedContextExec = false,
    metrics,
    terminal,
    clock,
    log = silentLogger,
    decodeTimeoutMs,
  }: {
    allowAddedContextExec?: boolean;
    metrics?: (registry: ClusterRegistry) => MetricsSource;
    terminal?: TerminalOptions;
    clock?: Clock;
    log?: Logger;
    decodeTimeoutMs?: number;
  } = {},
): Promise<Stack> {
  const sim = await startSim(simOptions);
  const dir = await mkdtemp(join(tmpdir(), 'kore-stack-'));
  const userKubeconfig = join(dir, 'config');
  const ownKubeconfig = join(dir, 'data', 'kubeconfig');
  await writeFile(userKubeconfig, demoKubeconfig(sim, CONTEXT), { mode: 0o600 });
  const inlineOnly = { paths: [ownKubeconfig], allowExec: allowAddedContextExec };
  const registry = await createRegistry({
    kubeconfigPaths: [userKubeconfig, ownKubeconfig],
    inlineOnly,
    inCluster: false,
    watch: false,
    clock: systemClock,
    log: silentLogger,
  });
  const decoder =
    decodeTimeoutMs === undefined ? undefined : createWorkerDecoder({ ...DECODE_LIMITS, timeoutMs: decodeTimeoutMs });
  const kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined, ...securityOptions },
    log,
    addedContexts: { path: ownKubeconfig, allowExec: allowAddedContextExec },
    metrics: metrics?.(registry),
    terminal,
    clock,
    decoder,
  });
  const { url } = kore.server;
  return {
    sim,
    registry,
    url,
    raw: `${url}/raw/clusters/${CONTEXT}`,
    dir,
    userKubeconfig,
    ownKubeconfig,
    close: async () => {
      await kore.close(1_000);
      await decoder?.close();
      await registry.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
