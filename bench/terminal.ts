/**
 * The web terminal against `kubectl exec -it`, in one run, on the same simulated pod (the demo cluster's
 * `default/busybox`, whose tty echoes what is typed):
 *
 * 1. Keystroke → echo latency: one character typed, timed until it comes back. Through kore-board: a webtty client
 *    speaking as the Kore Board UI does (`1<char>` out, `1<base64>` back) to the shipped bundle, which holds an exec
 *    websocket to the cluster. Through kubectl: `kubectl exec -it` on a pseudo-terminal (node-pty), the character
 *    written to it and read back. The two take turns each round; the added p50 is kore-board's minus kubectl's.
 * 2. Many sessions: `--sessions` (200) terminals open at once, each typing one character every `--every` ms for
 *    `--seconds`; every echo timed; kore-board's RSS sampled throughout.
 *
 * The simulated cluster runs in a process of its own (it serves every exec), kore-board in another (the shipped
 * bundle, `--auth none`), so the RSS is kore-board's alone.
 *
 *   npm run bench -- terminal [--rounds 5] [--keys 100] [--sessions 200] [--every 250] [--seconds 20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle } from '../build.mjs';
import { DEMO_CONTEXT } from '../lib/demo-kubeconfig';
import type { Pty, PtySpawn } from '../lib/node/pty-module';
import { freePort } from '../test/helpers/free-port';
import { memoryOf } from '../test/helpers/proc';
import { percentile } from './stats';
import { fetchToken, openTerminal, type WebttyClient } from '../test/terminal/webtty-client';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    keys: { type: 'string', default: '100' },
    sessions: { type: 'string', default: '200' },
    every: { type: 'string', default: '250' },
    seconds: { type: 'string', default: '20' },
  },
});
const ROUNDS = Number(values.rounds);
const KEYS = Number(values.keys);
const SESSIONS = Number(values.sessions);
const EVERY_MS = Number(values.every);
const SECONDS = Number(values.seconds);
const POD = 'namespaces/default/pods/busybox';

const ms = (x: number) => x.toFixed(2).padStart(7);

/** A process that prints one line once it serves; resolves with that line. */
function startChild(command: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = ready.exec(output)?.[0];
      if (line !== undefined) resolve({ child, line });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited ${code} before serving:\n${output}`)));
  });
}

const rssMb = (pid: number) => memoryOf(pid).rss / 2 ** 20;

/** Something to type into and see the echo of: a webtty session or kubectl's pseudo-terminal. */
interface Typist {
  type(char: string): void;
  output(): string;
  /** Resolves once `length` characters of output exist and the new part holds `char`. */
  echoed(char: string, from: number): Promise<void>;
  close(): void;
}

function typistOfOutput(write: (c: string) => void, read: () => string, subscribe: (wake: () => void) => void): Typist {
  let waiter: (() => void) | undefined;
  subscribe(() => waiter?.());
  return {
    type: write,
    output: read,
    echoed: (char, from) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no echo of ${char} within 10 s`)), 10_000);
        const check = () => {
          if (!read().slice(from).includes(char)) return;
          clearTimeout(timer);
          waiter = undefined;
          resolve();
        };
        waiter = check;
        check();
      }),
    close: () => undefined,
  };
}

async function webttyTypist(base: string): Promise<Typist & { client: WebttyClient }> {
  const token = await fetchToken(`${base}/api/terminal/clusters/${DEMO_CONTEXT}/${POD}/termtype/pod`);
  const client = await openTerminal(base, token);
  await client.waitForOutput(/# $/);
  const typist = typistOfOutput(
    (c) => client.type(c),
    () => client.output(),
    (wake) => client.ws.on('message', wake),
  );
  return { ...typist, client, close: () => client.ws.close() };
}

async function kubectlTypist(spawnPty: PtySpawn, kubeconfig: string, home: string): Promise<Typist> {
  const pty: Pty = spawnPty('kubectl', ['--kubeconfig', kubeconfig, 'exec', '-it', 'busybox', '--', 'sh'], {
    name: 'xterm',
    cols: 80,
    rows: 24,
    cwd: home,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
    encoding: null,
  });
  let output = '';
  const wakers: Array<() => void> = [];
  pty.onData((data) => {
    output += typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    for (const wake of wakers) wake();
  });
  const typist = typistOfOutput(
    (c) => pty.write(c),
    () => output,
    (wake) => wakers.push(wake),
  );
  await typist.echoed('# ', 0);
  return { ...typist, close: () => process.kill(pty.pid, 'SIGKILL') };
}

/** Types `count` characters one after another, each timed from write to echo. */
async function typeTimed(typist: Typist, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const char = String.fromCharCode(97 + (i % 26));
    const from = typist.output().length;
    const start = performance.now();
    typist.type(char);
    await typist.echoed(char, from);
    times.push(performance.now() - start);
  }
  // Leave the prompt clean for the next round: erase what was typed.
  typist.type('\u0015');
  return times;
}

async function latency(base: string, spawnPty: PtySpawn, kubeconfig: string, home: string): Promise<void> {
  const ours = await webttyTypist(base);
  const theirs = await kubectlTypist(spawnPty, kubeconfig, home);
  const oursAll: number[] = [];
  const theirsAll: number[] = [];
  const added: number[] = [];
  console.log(`\n1. keystroke → echo, ${ROUNDS} rounds × ${KEYS} keys each (ms):`);
  console.log('   round   kore-board p50     p99   kubectl exec p50     p99   added p50');
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate who goes first, so a busy moment of the machine does not always land on the same one.
    const pair = round % 2 === 1 ? [ours, theirs] : [theirs, ours];
    const [first, second] = [await typeTimed(pair[0]!, KEYS), await typeTimed(pair[1]!, KEYS)];
    const [o, t] = round % 2 === 1 ? [first, second] : [second, first];
    oursAll.push(...o);
    theirsAll.push(...t);
    added.push(percentile(o, 0.5) - percentile(t, 0.5));
    console.log(
      `   ${String(round).padStart(5)}   ${ms(percentile(o, 0.5))} ${ms(percentile(o, 0.99))}   ${ms(percentile(t, 0.5))} ${ms(percentile(t, 0.99))}   ${ms(added.at(-1) ?? NaN)}`,
    );
  }
  console.log(
    `   all     ${ms(percentile(oursAll, 0.5))} ${ms(percentile(oursAll, 0.99))}   ${ms(percentile(theirsAll, 0.5))} ${ms(percentile(theirsAll, 0.99))}   ${ms(percentile(added, 0.5))} (median of the rounds')`,
  );
  ours.close();
  theirs.close();
}

async function manySessions(base: string, korePid: number): Promise<void> {
  const before = rssMb(korePid);
  const typists: Typist[] = [];
  // Opened a few at a time, as users arrive, not in one burst.
  for (let i = 0; i < SESSIONS; i += 10) {
    typists.push(...(await Promise.all(Array.from({ length: Math.min(10, SESSIONS - i) }, () => webttyTypist(base)))));
  }
  const opened = rssMb(korePid);
  const times: number[] = [];
  let peak = opened;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(korePid))), 250);
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    typists.map(async (typist, n) => {
      // Spread the sessions' keystrokes over the interval.
      await new Promise((resolve) => setTimeout(resolve, (n * EVERY_MS) / SESSIONS));
      let i = 0;
      while (performance.now() < until) {
        const char = String.fromCharCode(97 + (i++ % 26));
        const from = typist.output().length;
        const start = performance.now();
        typist.type(char);
        await typist.echoed(char, from);
        times.push(performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, EVERY_MS - (performance.now() - start))));
      }
    }),
  );
  clearInterval(sampler);
  for (const t of typists) t.close();
  console.log(
    `\n2. ${SESSIONS} sessions, each typing every ${EVERY_MS} ms for ${SECONDS} s: ${times.length} keystrokes (${(times.length / SECONDS).toFixed(0)}/s)`,
  );
  console.log(
    `   echo p50 ${ms(percentile(times, 0.5))} ms, p99 ${ms(percentile(times, 0.99))} ms, max ${ms(Math.max(...times))} ms`,
  );
  console.log(
    `   kore-board RSS: ${before.toFixed(0)} MB before, ${opened.toFixed(0)} MB with the sessions open, peak ${peak.toFixed(0)} MB while typing`,
  );
}

async function main(): Promise<void> {
  const load = await import('../lib/node/pty-module').then((m) => m.loadPty());
  if (load.problem !== undefined) throw new Error(load.problem);
  const dir = mkdtempSync(join(tmpdir(), 'kore-bench-terminal-'));
  const children: ChildProcess[] = [];
  try {
    const sim = await startChild(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'terminal-sim.ts'), join(dir, 'kubeconfig')],
      /kubeconfig written/,
    );
    children.push(sim.child);
    const kore = join(dir, 'kore-board.mjs');
    await bundle(join(import.meta.dirname, '../lib/node/main.ts'), kore);
    const port = await freePort();
    const server = await startChild(
      process.execPath,
      [
        kore,
        ...['--kubeconfig', join(dir, 'kubeconfig'), '--listen', `127.0.0.1:${port}`, '--auth', 'none'],
        ...['--data-dir', join(dir, 'data'), '--terminal-max', String(SESSIONS + 10), '--log-level', 'error'],
      ],
      /listening on \S+/,
    );
    children.push(server.child);
    const base = `http://127.0.0.1:${port}`;
    await latency(base, load.spawn, join(dir, 'kubeconfig'), dir);
    await manySessions(base, server.child.pid ?? 0);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
// The numbers are out; exit without waiting for the sessions' sockets and PTYs to wind down.
process.exit(0);
