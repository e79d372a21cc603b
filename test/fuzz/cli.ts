/**
 * `npm run fuzz -- --seed N --count M [--token T]`: the suite's generator and oracle (test/fuzz) for longer, against
 * a kore-board and simulated cluster started here on loopback. Exits 1 on any finding, printing its seed, index and
 * bytes; a run is replayed by giving the same seed and count.
 */
import { parseArgs } from 'node:util';
import { unexplainedChanges } from './applied';
import { fuzzOnStack, summary } from './fuzz-stack';
import { describeFinding } from './run';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    count: { type: 'string', default: '10000' },
    token: { type: 'string' },
  },
});
const seed = Number(values.seed);
const count = Number(values.count);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(count) || count <= 0) {
  console.error('usage: npm run fuzz -- --seed <integer> --count <positive integer> [--token <access token>]');
  process.exit(2);
}

console.log(`fuzzing with seed ${seed}, ${count} cases${values.token === undefined ? '' : ', with an access token'}`);
const { close, report, changes } = await fuzzOnStack(seed, count, values.token);
const unexplained = unexplainedChanges(changes, report.written);
await close();
console.log(summary(report, describeFinding, 30));
for (const c of unexplained)
  console.log(`half-applied? ${c.kind} ${c.namespace}/${c.name} changed with no answer saying so`);
if (report.unhealthyAfter.length > 0) console.log(`/healthz failed after cases ${report.unhealthyAfter.join(', ')}`);
const failed = report.findings.length > 0 || unexplained.length > 0 || report.unhealthyAfter.length > 0;
console.log(failed ? `FAILED (seed ${seed})` : 'no findings');
process.exit(failed ? 1 : 0);
