/**
 * kore-board's server for the proxy benchmark, wired as the Node entry wires it (registry from a
 * kubeconfig, the app, the raw fast path and upgrade route), in its own process so its RSS is its own.
 * `--fetch-only` leaves the fast path out, to measure the Hono route alone; `--h2` offers HTTP/2 to the cluster.
 */
import { createViewStore } from '../lib/views/store';
import { parseArgs } from 'node:util';
import { createApp } from '../handlers/app';
import { createAdmission } from '../lib/admission';
import { systemClock } from '../lib/clock';
import { createRegistry } from '../lib/node/registry';
import { createLogger } from '../lib/log';
import { createRawFastPath } from '../lib/node/raw-fast-path';
import { startServer } from '../lib/node/server';
import { rawUpgradeRoute } from '../lib/node/upgrade-proxy';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'fetch-only': { type: 'boolean', default: false },
    h2: { type: 'boolean', default: false },
  },
});
if (values.kubeconfig === undefined) throw new Error('--kubeconfig is required');

const log = createLogger('warn');
const registry = await createRegistry({
  kubeconfigPaths: [values.kubeconfig],
  inCluster: false,
  watch: false,
  clock: systemClock,
  log,
  allowH2: values.h2,
});
const security = { allowedHosts: [], allowOrigins: [], authToken: undefined };
const app = createApp({
  registry,
  clock: systemClock,
  log,
  security,
  views: createViewStore({ registry, clock: systemClock, log }),
});
const server = await startServer({
  fetch: app.fetch,
  host: '127.0.0.1',
  port: 0,
  admit: createAdmission(security),
  fastPaths: values['fetch-only'] ? [] : [createRawFastPath(registry)],
  upgrades: [rawUpgradeRoute(registry)],
  log,
});
process.stdout.write(`listening ${server.port}\n`);
process.on('SIGTERM', () => void server.close(100).then(() => process.exit(0)));
