/**
 * The demo cluster for the terminal benchmark, in a process of its own (it serves every exec session), its
 * kubeconfig written to the path given; prints "kubeconfig written" once it serves.
 *
 *   node --import tsx bench/terminal-sim.ts KUBECONFIG_PATH
 */
import { writeFileSync } from 'node:fs';
import { demoKubeconfig } from '../lib/demo-kubeconfig';
import { startSim } from '../lib/sim';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: terminal-sim.ts KUBECONFIG_PATH');
const sim = await startSim({ fixture: 'demo' });
writeFileSync(path, demoKubeconfig(sim), { mode: 0o600 });
console.log('kubeconfig written');
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
