import cluster from 'node:cluster';
import { systemClock } from '../../clock';
import type { Logger } from '../../log';
import { memoryJtiLedger } from '../../terminal/jti-ledger';
import type { JtiLedger } from '../../terminal/types';
import type { ServeSetup } from '../serve';
import { answerJtiClaim } from './jti-ledger';
import { poolMetrics } from './metrics-exposition';
import { isJtiClaim, isMetricsRequest, isWorkerMessage, type PrimaryMessage, type ReadyReport } from './protocol';

/**
 * The supervising side of `--workers N`: N processes serving one listen address. Node's cluster module
 * owns the listening socket here and hands each new connection to the next worker in turn; measured
 * against letting the workers race for `accept` (SCHED_NONE), which left the load lopsided, in
 * docs/benchmarks.md. A connection stays with its worker, so per-request cost is the worker's alone.
 */

export interface PoolOptions {
  count: number;
  setup: ServeSetup;
  log: Logger;
  /** Workers that keep exiting on their own: the supervisor should stop. */
  onGiveUp(reason: string): void;
}

export interface WorkerPool {
  /** The first worker's report: the URL and the contexts it loaded. */
  ready: ReadyReport;
  /** Passes the signal to every worker and waits for them to exit; true when all exited with 0. */
  stop(signal: NodeJS.Signals): Promise<boolean>;
}

export type PoolStart = { kind: 'ready'; pool: WorkerPool } | { kind: 'failed'; exitCode: number };

/** A worker replaced this many times within the window is failing for good, not by accident. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

interface Forked {
  /** The worker's report, or its exit code when it exited before serving. */
  ready: Promise<ReadyReport | number>;
  /** Its exit code; a worker killed by a signal has none and counts as 1, unless it was our stop before it served. */
  exited: Promise<number>;
  stop(signal: NodeJS.Signals): void;
}

/** What the supervisor answers its workers from: the terminal tokens' ledger and the pool's metrics. */
interface Answering {
  ledger: JtiLedger;
  metrics: ReturnType<typeof poolMetrics>;
}

function fork(setup: PrimaryMessage, { ledger, metrics }: Answering): Forked {
  const worker = cluster.fork();
  worker.on('message', (message: unknown) => {
    if (isJtiClaim(message)) void answerJtiClaim(worker, ledger, message);
    else if (isMetricsRequest(message)) void metrics(worker, message);
  });
  let serving = false;
  let stoppedWith: NodeJS.Signals | undefined;
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      // Stopped while still loading, before it could handle the signal: nothing was lost.
      const stoppedEarly = !serving && signal !== null && signal === stoppedWith;
      resolve(code ?? (stoppedEarly ? 0 : 1));
    }),
  );
  const ready = new Promise<ReadyReport | number>((resolve) => {
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.type === 'kore:hello') return void worker.send(setup);
      serving = true;
      resolve({ url: message.url, contexts: message.contexts, clusterShellOff: message.clusterShellOff });
    });
    void exited.then(resolve);
  });
  return {
    ready,
    exited,
    stop(signal) {
      stoppedWith = signal;
      if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill(signal);
    },
  };
}

function stopAll(forked: Iterable<Forked>, signal: NodeJS.Signals): Promise<number[]> {
  const all = [...forked];
  for (const f of all) f.stop(signal);
  return Promise.all(all.map((f) => f.exited));
}

/**
 * Starts one worker, then the others once it serves (a bad address or kubeconfig is then reported once,
 * by that worker, not N times). Resolves when all serve, or with the exit code of the first that could not.
 */
export async function startWorkers(options: PoolOptions): Promise<PoolStart> {
  const setup: PrimaryMessage = { type: 'kore:setup', ...options.setup };
  const answering: Answering = {
    // The terminal tokens' used ids, for every worker: a token opens one session on whichever worker it reaches.
    ledger: memoryJtiLedger(systemClock),
    metrics: poolMetrics(),
  };
  const live = new Set<Forked>();
  const started = (f: Forked) => {
    live.add(f);
    void f.exited.then(() => live.delete(f));
    return f;
  };

  const first = started(fork(setup, answering));
  const report = await first.ready;
  if (typeof report === 'number') return { kind: 'failed', exitCode: report };
  const rest = await Promise.all(
    Array.from({ length: options.count - 1 }, () => started(fork(setup, answering)).ready),
  );
  const failed = rest.find((r): r is number => typeof r === 'number');
  if (failed !== undefined) {
    await stopAll(live, 'SIGTERM');
    return { kind: 'failed', exitCode: failed };
  }

  let stopping = false;
  const restarts: number[] = [];
  const replace = (code: number) => {
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts[0] !== undefined && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      return options.onGiveUp(
        `worker processes exited ${restarts.length} times within ${RESTART_WINDOW_MS / 1000} s (last exit code ${code})`,
      );
    }
    options.log.error(`a worker process exited (code ${code}); starting another`);
    supervise(started(fork(setup, answering)));
  };
  const supervise = (f: Forked) => void f.exited.then(replace);
  for (const f of live) supervise(f);

  return {
    kind: 'ready',
    pool: {
      ready: report,
      stop: async (signal) => {
        stopping = true;
        const codes = await stopAll(live, signal);
        return codes.every((c) => c === 0);
      },
    },
  };
}
