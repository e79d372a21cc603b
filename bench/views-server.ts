/**
 * kore-board's app for the views benchmark, in its own process so its RSS is its own: registry from a
 * kubeconfig and a view store either with the watch cache (`--mode cache`, the default) or listing the
 * cluster on every request (`--mode naive`, what the original backend did).
 *
 *   node --import tsx bench/views-server.ts --kubeconfig FILE [--mode cache|naive]
 */
import { parseArgs } from 'node:util';
import { createApp } from '../handlers/app';
import { createAdmission } from '../lib/admission';
import { systemClock } from '../lib/clock';
import { createRegistry } from '../lib/node/registry';
import { createLogger } from '../lib/log';
import { startServer } from '../lib/node/server';
import { createViewStore } from '../lib/views/store';

const { values } = parseArgs({
  options: { kubeconfig: { type: 'string' }, mode: { type: 'string', default: 'cache' } },
});
if (values.kubeconfig === undefined) throw new Error('--kubeconfig is required');

const log = createLogger('warn');
const registry = await createRegistry({
  kubeconfigPaths: [values.kubeconfig],
  inCluster: false,
  watch: false,
  clock: systemClock,
  log,
});
const views = createViewStore({ registry, clock: systemClock, log, watch: values.mode !== 'naive' });
const security = { allowedHosts: [], allowOrigins: [], authToken: undefined };
const app = createApp({ registry, clock: systemClock, log, security, views });
const server = await startServer({
  fetch: app.fetch,
  host: '127.0.0.1',
  port: 0,
  admit: createAdmission(security),
  log,
});
process.stdout.write(`listening ${server.port}\n`);
process.on('SIGTERM', () => {
  views.close();
  void server.close(100).then(() => process.exit(0));
});
