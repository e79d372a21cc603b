/**
 * `kore_board_terminal_sessions` on a real port in front of the simulated cluster: a pod terminal opened the way the
 * web UI opens one counts as one `pod` session while it runs, and none once it has exited.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { demoKubeconfig } from '../../lib/demo-kubeconfig';
import { silentLogger } from '../../lib/log';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import { startSim, type SimCluster } from '../../lib/sim';
import { createTelemetryRegistry } from '../../lib/telemetry/registry';
import { metricSamples } from '../helpers/metric-samples';
import { registryFor } from '../helpers/raw-stack';
import { waitFor } from '../helpers/registry-fixtures';
import { fetchToken, openTerminal } from '../terminal/webtty-client';

const CONTEXT = 'sim';
const POD = 'web-7d4b9c8f6d-x7k2p'; // bash, in the demo cluster's namespace shop
const GAUGE = 'kore_board_terminal_sessions{kind="pod"}';

let sim: SimCluster;
let registry: ClusterRegistry;
let kore: KoreServer;

beforeAll(async () => {
  sim = await startSim();
  registry = await registryFor(demoKubeconfig(sim, CONTEXT));
  kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log: silentLogger,
    telemetry: createTelemetryRegistry(),
    terminal: {
      secret: new TextEncoder().encode('terminal-sessions-gauge-secret-32!!'),
      idleMs: 180_000,
      max: 5,
      clusterShell: undefined,
    },
  });
});

afterAll(async () => {
  await kore?.close(0);
  await registry?.close();
  await sim?.close();
});

const podSessions = async () => (await metricSamples(`${kore.server.url}/metrics`)).get(GAUGE) ?? 0;

it('counts a pod terminal while it is open, and no longer once it has exited', async () => {
  expect(await podSessions()).toBe(0);
  const url = `${kore.server.url}/api/terminal/clusters/${CONTEXT}/namespaces/shop/pods/${POD}/termtype/pod`;
  const terminal = await openTerminal(kore.server.url, await fetchToken(url), { size: { columns: 80, rows: 24 } });
  await terminal.waitForOutput(new RegExp(`root@${POD}:/# $`));
  expect(await podSessions()).toBe(1);
  terminal.type('exit\r');
  await terminal.closed;
  await waitFor(async () => (await podSessions()) === 0, 5_000, 'the session to be uncounted');
  expect(await podSessions()).toBe(0);
});
