/**
 * Many concurrent watches held through kore-board's `/raw`, against the same through `kubectl proxy`, in one run,
 * on 127.0.0.1. An empty simulated cluster in its own process (bench/watches-sim.ts) changes one ConfigMap every
 * second; each target gets `--watches` watches on the namespace's ConfigMaps, each on a connection of its own (as
 * that many kubectl processes would hold them), held for `--seconds`.
 *
 * Reports per target: the time to open them all, the server's RSS before (idle), during (the highest sample, one
 * a second) and after (closed, 5 s later), and the events delivered (expected: watches × changes) with the fewest
 * any one watch got. kore-board runs as the Node entry serves it (bench/views-server.ts: startKoreServer).
 *
 * They are opened `--batch` at a time (each batch open before the next starts), the same for both targets.
 *
 *   npx tsx bench/watches.ts [--watches 1000] [--seconds 60] [--per-second 1] [--batch 100]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/helpers/free-port';
import { memoryOf } from '../test/helpers/proc';
import { holdWatch, type HeldWatch } from '../test/helpers/watch-client';
import { child, stop, withFirstLine } from './child';

const { values } = parseArgs({
  options: {
    watches: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    'per-second': { type: 'string', default: '1' },
    /** Watches opened at once: the simulated cluster is one Node thread, and 1,000 TLS handshakes at once exceed Go's 10 s handshake timeout in `kubectl proxy` on a loaded 2-core machine. */
    batch: { type: 'string', default: '100' },
  },
});
const WATCHES = Number(values.watches);
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);
const WATCH = '/api/v1/namespaces/default/configmaps?watch=1';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Result {
  openSeconds: number;
  before: number;
  during: number;
  after: number;
  events: number;
  fewest: number;
  changes: number;
  ended: number;
}

async function measure(pid: number, base: string, path: string): Promise<Result> {
  // One watch opened and closed first: the code paths warm, the pools made.
  const warm = holdWatch(base, path);
  await warm.seen('tick', 10_000);
  warm.close();
  await sleep(2_000);
  const before = memoryOf(pid).rss;

  const start = performance.now();
  const watches: HeldWatch[] = [];
  while (watches.length < WATCHES) {
    const batch = Array.from({ length: Math.min(BATCH, WATCHES - watches.length) }, () => holdWatch(base, path));
    watches.push(...batch);
    await Promise.all(batch.map((w) => w.seen('tick', 120_000)));
  }
  const openSeconds = (performance.now() - start) / 1000;
  // Each watch starts with the ConfigMap's ADDED; what follows are the changes made while it is held.
  const counted = watches.map((w) => w.names.length);
  let during = 0;
  for (let s = 0; s < SECONDS; s++) {
    await sleep(1_000);
    during = Math.max(during, memoryOf(pid).rss);
  }
  const got = watches.map((w, i) => w.names.length - counted[i]!);
  const ended = watches.filter((w) => w.isOver()).length;
  for (const w of watches) w.close();
  await Promise.all(watches.map((w) => w.ended));
  await sleep(5_000);
  return {
    openSeconds,
    before,
    during,
    after: memoryOf(pid).rss,
    events: got.reduce((a, b) => a + b, 0),
    fewest: Math.min(...got),
    changes: Math.round(SECONDS * Number(values['per-second'])),
    ended,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'kore-bench-watches-'));
const kubeconfig = join(dir, 'kubeconfig');
const sim = child('watches-sim.ts', [kubeconfig, '--per-second', values['per-second']], 2048);
let kore: ReturnType<typeof child> | undefined;
let proxy: ReturnType<typeof withFirstLine> | undefined;
try {
  await sim.firstLine;
  kore = child('views-server.ts', ['--kubeconfig', kubeconfig], 2048);
  const korePort = /^listening (\d+)$/.exec(await kore.firstLine)?.[1];
  const proxyPort = await freePort();
  proxy = withFirstLine('kubectl', ['proxy', '--kubeconfig', kubeconfig, '--port', String(proxyPort)]);
  await proxy.firstLine;

  console.log(
    `${WATCHES} watches held ${SECONDS} s, ${values['per-second']} change/s; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${process.env.HOSTNAME ?? 'this machine'})`,
  );
  const rows: [string, Result][] = [];
  const context = encodeURIComponent('kubernetes-admin@kubernetes');
  rows.push([
    'kore-board /raw',
    await measure(kore.proc.pid!, `http://127.0.0.1:${korePort}`, `/raw/clusters/${context}${WATCH}`),
  ]);
  rows.push(['kubectl proxy', await measure(proxy.proc.pid!, `http://127.0.0.1:${proxyPort}`, WATCH)]);

  console.log(
    'target            open all   RSS before   during (max)   after   events delivered (expected)   fewest   ended early',
  );
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(16)}  ${r.openSeconds.toFixed(1).padStart(6)} s  ${mib(r.before).padStart(10)}  ${mib(r.during).padStart(13)}  ${mib(r.after).padStart(6)}  ${`${r.events} (${WATCHES * r.changes})`.padStart(28)}  ${String(r.fewest).padStart(7)}  ${String(r.ended).padStart(11)}`,
    );
  }
  const [ours, theirs] = [rows[0]![1], rows[1]![1]];
  console.log(
    `kore-board / kubectl proxy: RSS during ${(ours.during / theirs.during).toFixed(2)}×, added by the watches ${((ours.during - ours.before) / (theirs.during - theirs.before)).toFixed(2)}×`,
  );
} finally {
  if (proxy !== undefined) await stop(proxy.proc);
  if (kore !== undefined) await stop(kore.proc);
  await stop(sim.proc);
  rmSync(dir, { recursive: true, force: true });
}
