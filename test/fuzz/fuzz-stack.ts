/**
 * One fuzz run as the suite and `npm run fuzz` both make it: a kore-board stack with the web terminal on, the
 * fuzzer's namespace made in the simulated cluster, the cluster's changes recorded while the cases run.
 */
import { systemClock } from '../../lib/clock';
import { silentLogger } from '../../lib/log';
import { embeddedSource } from '../../lib/metrics/embedded-source';
import { createScraper, type MetricsScraper } from '../../lib/metrics/scraper';
import { createMetricsStore } from '../../lib/metrics/store';
import { startStack, type Stack } from '../helpers/stack';
import { FUZZ_NAMESPACE } from './bodies';
import type { ChangedObject } from './applied';
import { routeTemplates } from './routes';
import { runFuzz, type FuzzReport } from './run';

export interface FuzzRun {
  stack: Stack;
  /** Closes the stack and its metrics scraper. */
  close(): Promise<void>;
  report: FuzzReport;
  /** Every object the simulated cluster saw change while the cases ran. */
  changes: ChangedObject[];
}

export async function fuzzOnStack(seed: number, count: number, authToken: string | undefined): Promise<FuzzRun> {
  let scraper: MetricsScraper | undefined;
  const stack = await startStack(
    {},
    { authToken },
    {
      // The metrics routes are mounted only with a source; no scrape is needed for them to read their input.
      metrics: (registry) => {
        const store = createMetricsStore({ windowMs: 15 * 60_000, resolutionMs: 60_000 });
        scraper = createScraper({ registry, store, clock: systemClock, resolutionMs: 60_000, log: silentLogger });
        return embeddedSource(scraper, store);
      },
      terminal: {
        secret: new TextEncoder().encode('fuzz-terminal-secret-of-32-characters'),
        idleMs: 60_000,
        max: 8,
        clusterShell: undefined,
      },
    },
  );
  stack.sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FUZZ_NAMESPACE } });
  const changes: ChangedObject[] = [];
  const unsubscribe = stack.sim.store.subscribe(({ res, record }) =>
    changes.push({ kind: res.kind, namespace: record.namespace, name: record.name, owners: record.owners ?? [] }),
  );
  const close = async () => {
    await scraper?.close();
    await stack.close();
  };
  const url = new URL(stack.url);
  try {
    const report = await runFuzz({
      port: Number(url.port),
      seed,
      count,
      target: { host: url.host, token: authToken },
      rows: routeTemplates(),
    });
    return { stack, close, report, changes };
  } catch (err) {
    await close();
    throw err;
  } finally {
    unsubscribe();
  }
}

/** The run in a few lines, then the first findings with their bytes. */
export function summary(report: FuzzReport, describe: (f: FuzzReport['findings'][number]) => string, top = 15): string {
  const messages = [...report.byMessage].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `sent ${report.sent} in ${Math.round(report.elapsedMs)} ms, ${report.cut} cut at the deadline, ${report.findings.length} findings`,
    `families: ${JSON.stringify(Object.fromEntries(report.byFamily))}`,
    `answers by status: ${JSON.stringify(Object.fromEntries(report.byStatus))}`,
    `websocket close codes: ${JSON.stringify(Object.fromEntries(report.closeCodes))}`,
    `closed without an answer, as allowed: ${JSON.stringify(Object.fromEntries(report.silent))}`,
    'most frequent refusals:',
    ...messages.map(([m, n]) => `  ${n}\t${m}`),
    ...report.findings.slice(0, top).map(describe),
  ].join('\n');
}
