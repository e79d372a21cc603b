/**
 * kore-board's app for the views benchmark, in its own process so its RSS is its own: registry from a
 * kubeconfig, served as the Node entry serves it (startKoreServer), with a view store either with the watch
 * cache (`--mode cache`, the default) or listing the cluster on every request (`--mode naive`, what the
 * original backend did).
 *
 *   node --import tsx bench/views-server.ts --kubeconfig FILE [--mode cache|naive]
 */
import { parseArgs } from 'node:util';
import { serveForBench } from './kore-process';

const { values } = parseArgs({
  options: { kubeconfig: { type: 'string' }, mode: { type: 'string', default: 'cache' } },
});
await serveForBench(values.kubeconfig, { viewOptions: { watch: values.mode !== 'naive' } });
