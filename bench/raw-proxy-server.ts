/**
 * kore-board's server for the proxy benchmark, assembled as the Node entry assembles it (startKoreServer:
 * the app, the raw fast path and upgrade route) with a registry from a kubeconfig, in its own process so its
 * RSS is its own. `--fetch-only` leaves the fast path out, to measure the Hono route alone; `--h2` offers
 * HTTP/2 to the cluster.
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../lib/clock';
import { createLogger } from '../lib/log';
import { isDecodeWorker, serveDecodeJobs } from '../lib/node/decode-worker-thread';
import { startKoreServer } from '../lib/node/kore-server';
import { createRegistry } from '../lib/node/registry';

async function main(): Promise<void> {
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
  const kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log,
    rawFastPath: !values['fetch-only'],
  });
  process.stdout.write(`listening ${kore.server.port}\n`);
  process.on('SIGTERM', () => void kore.close(100).then(() => process.exit(0)));
}

// Bundled (bench/raw-proxy.ts), this file is also its own body-decoding worker, as the entry's bundle is.
if (isDecodeWorker()) serveDecodeJobs();
else await main();
