/**
 * Runs `count` cases from `seed` against a kore-board at `port`, `concurrency` connections at a time, checking
 * `/healthz` after every batch; returns what was sent and every broken rule with the bytes that broke it.
 */
import { sampleCases, type FuzzCase, type Target } from './cases';
import { parseResponses } from './http-response';
import { judge } from './oracle';
import { noteWritten, type Written } from './applied';
import type { RouteTemplate } from './routes';
import { sendCase, type Deadlines, type Outcome } from './send';
import { signInFrame } from './websocket-cases';
import { closeCodeOf, parseServerFrames } from './ws-frames';

export interface FuzzOptions {
  port: number;
  seed: number;
  count: number;
  target: Target;
  rows: readonly RouteTemplate[];
  concurrency?: number;
  /** How long a case may wait for its answers, and a websocket stay open after them. */
  deadlines?: Deadlines;
  batchSize?: number;
}

export interface Finding {
  seed: number;
  index: number;
  family: string;
  problems: string[];
  bytes: Buffer;
  answer: Buffer;
}

export interface FuzzReport {
  sent: number;
  byFamily: Map<string, number>;
  byStatus: Map<number, number>;
  /** Error answers by status and the start of their message, to see which refusals the cases reach. */
  byMessage: Map<string, number>;
  /** Websocket close codes the server sent, by endpoint (`terminal 4400`, `terminal signed in 1000`). */
  closeCodes: Map<string, number>;
  /** Cases that may go unanswered (random bytes) and were closed without an answer, by the reason they may. */
  silent: Map<string, number>;
  /** Cases cut at the deadline (an open websocket, a stream). */
  cut: number;
  findings: Finding[];
  /** The case counts at the end of each batch after which `/healthz` did not answer 200. */
  unhealthyAfter: number[];
  written: Written;
  elapsedMs: number;
}

async function healthy(port: number, host: string, token: string | undefined): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
      headers: { host, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function messageOf(body: Buffer): string {
  try {
    const { message } = JSON.parse(body.toString('utf8')) as { message?: unknown };
    return typeof message === 'string' ? message : '';
  } catch {
    return body.subarray(0, 70).toString('latin1');
  }
}

/** A terminal token for the demo cluster's busybox pod, from the token route (one per session: they are single-use). */
async function terminalToken(port: number, t: Target): Promise<string | undefined> {
  try {
    const res = await fetch(
      `http://127.0.0.1:${port}/api/terminal/clusters/sim/namespaces/default/pods/busybox/termtype/pod`,
      {
        headers: { host: t.host, ...(t.token === undefined ? {} : { authorization: `Bearer ${t.token}` }) },
        signal: AbortSignal.timeout(10_000),
      },
    );
    const body = (await res.json()) as { Token?: unknown };
    return typeof body.Token === 'string' ? body.Token : undefined;
  } catch {
    return undefined;
  }
}

/** The case's bytes, with a signed-in terminal's first frame put in place. */
async function bytesToSend(port: number, t: Target, c: FuzzCase): Promise<Buffer | string> {
  if (c.terminalSignInAt === undefined) return c.bytes;
  const token = await terminalToken(port, t);
  if (token === undefined) return 'the terminal token route gave no token';
  const at = c.terminalSignInAt;
  return Buffer.concat([c.bytes.subarray(0, at), signInFrame(token), c.bytes.subarray(at)]);
}

/** How a finding is shown: enough to replay it byte for byte (`printf` the JSON string into `nc`). */
export function describeFinding(f: Finding): string {
  return [
    `seed ${f.seed}, case ${f.index} (${f.family}): ${f.problems.join('; ')}`,
    `  request bytes (JSON string): ${JSON.stringify(f.bytes.toString('latin1').slice(0, 4000))}`,
    `  answer: ${JSON.stringify(f.answer.toString('latin1').slice(0, 600))}`,
  ].join('\n');
}

const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

/** What one case's answer adds to the report's figures, and to what was written. */
function tally(report: FuzzReport, c: FuzzCase, outcome: Outcome): void {
  count(report.byFamily, c.family.startsWith('route ') ? 'route' : c.family);
  if (outcome.timedOut) report.cut++;
  const { responses, upgraded } = parseResponses(outcome.bytes, outcome.closedByServer, c.headOnly);
  if (c.answers === 0 && responses.length === 0) count(report.silent, c.silentBecause ?? c.family);
  if (upgraded !== undefined)
    count(
      report.closeCodes,
      `${c.family.replace('websocket ', '')} ${closeCodeOf(parseServerFrames(upgraded)) ?? 'none'}`,
    );
  for (const r of responses) {
    count(report.byStatus, r.status);
    noteWritten(report.written, r);
    if (r.status >= 400) count(report.byMessage, `${r.status} ${messageOf(r.body).slice(0, 70)}`);
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const {
    port,
    seed,
    count,
    target,
    rows,
    concurrency = 24,
    deadlines = { answerMs: 10_000, openMs: 1_500 },
    batchSize = 500,
  } = options;
  const started = performance.now();
  const cases: FuzzCase[] = sampleCases(seed, count, target, rows);
  const report: FuzzReport = {
    sent: 0,
    byFamily: new Map(),
    byStatus: new Map(),
    byMessage: new Map(),
    closeCodes: new Map(),
    silent: new Map(),
    cut: 0,
    findings: [],
    unhealthyAfter: [],
    written: { keys: new Set(), uids: new Set() },
    elapsedMs: 0,
  };
  for (let start = 0; start < cases.length; start += batchSize) {
    const batch = cases.slice(start, start + batchSize);
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const index = start + next;
        const c = batch[next++]!;
        const bytes = await bytesToSend(port, target, c);
        report.sent++;
        if (typeof bytes === 'string') {
          report.findings.push({
            seed,
            index,
            family: c.family,
            problems: [bytes],
            bytes: c.bytes,
            answer: Buffer.alloc(0),
          });
          continue;
        }
        const outcome = await sendCase(port, { ...c, bytes }, deadlines);
        tally(report, c, outcome);
        const problems = judge(c, outcome);
        if (problems.length > 0)
          report.findings.push({ seed, index, family: c.family, problems, bytes, answer: outcome.bytes });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (!(await healthy(port, target.host, target.token))) report.unhealthyAfter.push(start + batch.length);
  }
  report.elapsedMs = performance.now() - started;
  return report;
}
