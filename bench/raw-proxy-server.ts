/**
 * kore-board's server for the proxy benchmark, assembled as the Node entry assembles it (startKoreServer:
 * the app, the raw fast path and upgrade route) with a registry from a kubeconfig, in its own process so its
 * RSS is its own. `--fetch-only` leaves the fast path out, to measure the Hono route alone; `--h2` offers
 * HTTP/2 to the cluster.
 */
import { parseArgs } from 'node:util';
import { isDecodeWorker, serveDecodeJobs } from '../lib/node/decode-worker-thread';
import { serveForBench } from './kore-process';

// Bundled (bench/raw-proxy.ts), this file is also its own body-decoding worker, as the entry's bundle is.
if (isDecodeWorker()) {
  serveDecodeJobs();
} else {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'fetch-only': { type: 'boolean', default: false },
      h2: { type: 'boolean', default: false },
    },
  });
  await serveForBench(values.kubeconfig, { allowH2: values.h2, rawFastPath: !values['fetch-only'] });
}
