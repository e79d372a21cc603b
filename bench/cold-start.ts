/**
 * Cold start of what `npm run build` ships: process start → the first `200` from `/healthz`, for the one-file bundle
 * (`node dist/kore-board.mjs`), the single executable (`dist/kore-board`) and, as the reference, `kubectl proxy`
 * (its `/healthz` is the cluster's, reached through it), each against the same one-context kubeconfig of a simulated
 * cluster started here. Targets take turns within each round, so a busy moment of the machine hits all of them; each
 * row gives the median and range over the rounds and its ratio to `kubectl proxy` (median of the per-round ratios).
 * Also the demo mode (`--demo`), whose start includes making the simulated cluster (its PKI) in the process.
 *
 *   npm run bench -- cold-start [--rounds 15]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle, buildExecutable } from '../build.mjs';
import { demoKubeconfig } from '../lib/demo-kubeconfig';
import { startSim } from '../lib/sim';
import { freePort } from '../test/helpers/free-port';
import { median } from './stats';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const ROUNDS = Number(values.rounds);
const GIVE_UP_MS = 20_000;

interface Target {
  name: string;
  command(port: number, kubeconfig: string, home: string): { file: string; args: string[] };
  /** Compared against kubectl proxy (demo mode has no kubectl counterpart). */
  compared: boolean;
}

/** Milliseconds from spawn to the first 200 of /healthz, polling every 2 ms; the process is killed after. */
async function coldStart(target: Target, kubeconfig: string): Promise<number> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'kore-cold-home-'));
  const { file, args } = target.command(port, kubeconfig, home);
  const started = performance.now();
  const child = spawn(file, args, { stdio: 'ignore', env: { PATH: process.env.PATH, HOME: home } });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${target.name} exited before serving`);
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`${target.name} did not serve within 20 s`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kore-bench-cold-'));
  const mjs = join(dir, 'kore-board.mjs');
  const exe = join(dir, 'kore-board');
  console.log('building dist artifacts into', dir, '…');
  await bundle('lib/node/main.ts', mjs);
  await buildExecutable(exe);
  const sim = await startSim({ fixture: 'demo' });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, demoKubeconfig(sim));
  const kore = (extra: string[]) => (port: number, kc: string) => [
    '--kubeconfig',
    kc,
    '--listen',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--log-level',
    'error',
    ...extra,
  ];
  const targets: Target[] = [
    {
      name: 'kubectl proxy',
      compared: false,
      command: (port, kc) => ({ file: 'kubectl', args: ['proxy', '--kubeconfig', kc, '--port', String(port)] }),
    },
    {
      name: 'node dist/kore-board.mjs',
      compared: true,
      command: (port, kc) => ({ file: process.execPath, args: [mjs, ...kore([])(port, kc)] }),
    },
    { name: 'dist/kore-board (SEA)', compared: true, command: (port, kc) => ({ file: exe, args: kore([])(port, kc) }) },
    {
      name: 'node dist/kore-board.mjs --demo',
      compared: false,
      command: (port) => ({
        file: process.execPath,
        args: [mjs, '--demo', '--listen', `127.0.0.1:${port}`, '--auth', 'none', '--log-level', 'error'],
      }),
    },
    {
      name: 'dist/kore-board --demo',
      compared: false,
      command: (port) => ({
        file: exe,
        args: ['--demo', '--listen', `127.0.0.1:${port}`, '--auth', 'none', '--log-level', 'error'],
      }),
    },
  ];
  const times = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  try {
    // One unmeasured start each: the first run of a file pays for the page cache.
    for (const t of targets) await coldStart(t, kubeconfig);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) times.get(t.name)?.push(await coldStart(t, kubeconfig));
      process.stdout.write(`round ${round}/${ROUNDS}\r`);
    }
  } finally {
    await sim.close();
  }
  const reference = times.get('kubectl proxy') ?? [];
  console.log(`\ncold start, process start → first 200 from /healthz (${ROUNDS} rounds, ms):`);
  console.log(
    `dist/kore-board.mjs ${(statSync(mjs).size / 1e6).toFixed(1)} MB, dist/kore-board ${(statSync(exe).size / 1e6).toFixed(1)} MB`,
  );
  for (const t of targets) {
    const xs = times.get(t.name) ?? [];
    const ratio = t.compared
      ? ` [${median(xs.map((x, i) => x / (reference[i] ?? NaN))).toFixed(2)}× kubectl proxy]`
      : '';
    console.log(
      `  ${t.name.padEnd(34)} p50 ${median(xs).toFixed(0).padStart(5)}  min ${Math.min(...xs)
        .toFixed(0)
        .padStart(5)}  max ${Math.max(...xs)
        .toFixed(0)
        .padStart(5)}${ratio}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();
// Nothing of the measured processes is left; exit without waiting for fetch's idle sockets.
process.exit(0);
