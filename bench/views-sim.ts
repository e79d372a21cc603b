/**
 * A generated simulated cluster in its own process, for the views benchmark: prints one JSON line with
 * what a kubeconfig needs (url, CA, client certificate) and the time the cluster took to build, then
 * serves until SIGTERM. On SIGUSR2 it starts changing pod readiness (`--churn` changes per second).
 *
 *   node --import tsx bench/views-sim.ts --nodes 5000 --pods-per-node 30 --namespaces 50 [--churn 100]
 */
import { parseArgs } from 'node:util';
import { startSim } from '../lib/sim';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    'pods-per-node': { type: 'string', default: '30' },
    namespaces: { type: 'string', default: '50' },
    churn: { type: 'string', default: '100' },
  },
});

const start = performance.now();
const sim = await startSim({
  nodes: Number(values.nodes),
  podsPerNode: Number(values['pods-per-node']),
  namespaces: Number(values.namespaces),
});
const buildMs = performance.now() - start;
process.stdout.write(
  JSON.stringify({
    url: sim.url,
    caPem: sim.caPem,
    client: sim.client,
    buildMs,
    pods: sim.store.count('pods'),
    deployments: sim.store.count('deployments'),
    nodes: sim.store.count('nodes'),
  }) + '\n',
);

/** Flips the Ready condition of pods, round robin, `rate` times a second: a cluster that is alive. */
function churn(rate: number): void {
  const pods = sim.store.list('pods').map((p) => [p.metadata.namespace, p.metadata.name] as [string, string]);
  let next = 0;
  setInterval(() => {
    for (let i = 0; i < rate / 10; i++) {
      const [ns, name] = pods[next++ % pods.length]!;
      sim.store.mutate(
        'pods',
        ns,
        name,
        (pod) => {
          const conditions =
            (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
          const ready = conditions.find((c) => c.type === 'Ready');
          if (ready !== undefined) ready.status = ready.status === 'True' ? 'False' : 'True';
        },
        { subresource: 'status' },
      );
    }
  }, 100);
}

process.on('SIGUSR2', () => churn(Number(values.churn)));
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
