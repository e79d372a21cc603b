/**
 * What the bench's kore-board processes share: a registry from one kubeconfig, served as the Node entry serves
 * it (startKoreServer, no access token), `listening PORT` on stdout once it serves, and a clean exit on SIGTERM.
 */
import { systemClock } from '../lib/clock';
import { createLogger } from '../lib/log';
import { startKoreServer, type KoreServerOptions } from '../lib/node/kore-server';
import { createRegistry } from '../lib/node/registry';

export async function serveForBench(
  kubeconfig: string | undefined,
  { allowH2, ...options }: { allowH2?: boolean } & Pick<KoreServerOptions, 'rawFastPath' | 'viewOptions'> = {},
): Promise<void> {
  if (kubeconfig === undefined) throw new Error('--kubeconfig is required');
  const log = createLogger('warn');
  const registry = await createRegistry({
    kubeconfigPaths: [kubeconfig],
    inCluster: false,
    watch: false,
    clock: systemClock,
    log,
    allowH2,
  });
  const kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log,
    ...options,
  });
  process.stdout.write(`listening ${kore.server.port}\n`);
  process.on('SIGTERM', () => void kore.close(100).then(() => process.exit(0)));
}
