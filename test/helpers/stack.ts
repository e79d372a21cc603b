/**
 * The whole kore-board stack as `main.ts` wires it — registry, app, Node server with the raw fast path and
 * upgrade passthrough, file-backed context store, body decoding in a worker thread — in front of a simulated
 * cluster, on ephemeral ports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type SecurityOptions } from '../../handlers/app';
import { createAdmission } from '../../lib/admission';
import { systemClock } from '../../lib/clock';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { demoKubeconfig } from '../../lib/demo-kubeconfig';
import { silentLogger } from '../../lib/log';
import { fileContextStore } from '../../lib/node/own-kubeconfig-file';
import { createRawFastPath } from '../../lib/node/raw-fast-path';
import { startServer } from '../../lib/node/server';
import { rawUpgradeRoute } from '../../lib/node/upgrade-proxy';
import { createWorkerDecoder, DECODE_LIMITS } from '../../lib/node/worker-decoder';
import { startSim, type SimCluster, type SimOptions } from '../../lib/sim';
import { createViewStore } from '../../lib/views/store';

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

/** `allowAddedContextExec` is the --allow-added-context-exec flag. */
export async function startStack(
  simOptions: SimOptions = {},
  securityOptions: Partial<SecurityOptions> = {},
  { allowAddedContextExec = false } = {},
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
  const security: SecurityOptions = { allowedHosts: [], allowOrigins: [], authToken: undefined, ...securityOptions };
  const views = createViewStore({ registry, clock: systemClock, log: silentLogger });
  const decoder = createWorkerDecoder(DECODE_LIMITS);
  const contextStore = fileContextStore(ownKubeconfig, registry, { allowExec: allowAddedContextExec, decoder });
  const app = createApp({ registry, clock: systemClock, log: silentLogger, security, views, contextStore, decoder });
  const server = await startServer({
    fetch: app.fetch,
    host: '127.0.0.1',
    port: 0,
    admit: createAdmission(security),
    fastPaths: [createRawFastPath(registry)],
    upgrades: [rawUpgradeRoute(registry)],
    log: silentLogger,
  });
  return {
    sim,
    registry,
    url: server.url,
    raw: `${server.url}/raw/clusters/${CONTEXT}`,
    dir,
    userKubeconfig,
    ownKubeconfig,
    close: async () => {
      await server.close(1_000);
      views.close();
      await decoder.close();
      await registry.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
