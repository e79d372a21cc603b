/**
 * An empty simulated cluster in its own process, for the watches benchmark: writes its kubeconfig to the path
 * given, prints "kubeconfig written" once it serves, then changes ConfigMap `default/tick` `--per-second` times a
 * second (each change one MODIFIED event to every watch on the namespace's ConfigMaps) until SIGTERM.
 *
 *   node --import tsx bench/watches-sim.ts KUBECONFIG_PATH [--per-second 1]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { demoKubeconfig } from '../lib/demo-kubeconfig';
import { startSim } from '../lib/sim';

const { values, positionals } = parseArgs({
  options: { 'per-second': { type: 'string', default: '1' } },
  allowPositionals: true,
});
const path = positionals[0];
if (path === undefined) throw new Error('usage: watches-sim.ts KUBECONFIG_PATH [--per-second N]');
const sim = await startSim({ fixture: 'empty' });
sim.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tick', namespace: 'default' }, data: {} });
writeFileSync(path, demoKubeconfig(sim), { mode: 0o600 });
console.log('kubeconfig written');
let tick = 0;
setInterval(
  () =>
    sim.store.mutate('configmaps', 'default', 'tick', (cm) => {
      cm.data = { tick: String(++tick) };
    }),
  1000 / Number(values['per-second']),
);
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
