/**
 * kore-board's app for the views benchmark, in its own process so its RSS is its own: registry from a
 * kubeconfig, served as the Node entry serves it (startKoreServer), with a view store either with the watch
 * cache (`--mode cache`, the default) or listing the cluster on every request (`--mode naive`, what the
 * original backend did).
 *
 *   node --import tsx bench/views-server.ts --kubeconfig FILE [--mode cache|naive]
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../lib/clock';
import { createLogger } from '../lib/log';
import { startKoreServer } from '../lib/node/kore-server';
import { createRegistry } from '../lib/node/registry';

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
const kore = await startKoreServer({
  registry,
  security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
  log,
  viewOptions: { watch: values.mode !== 'naive' },
});
process.stdout.write(`listening ${kore.server.port}\n`);
process.on('SIGTERM', () => void kore.close(100).then(() => process.exit(0)));
