/**
 * Time and memory of the cluster generator at the size the issue asks for (5,000 nodes, 150,000 pods).
 * Two passes: streaming (each object serialized and dropped, as the store's load() consumes them) and
 * retaining every object's JSON (what a store that keeps serialized objects ends up holding).
 *
 *   node --expose-gc --import tsx bench/sim-generator.ts [nodes] [podsPerNode] [namespaces]
 */
import { generateCluster } from '../lib/sim/gen/generator';

const [nodes = 5000, podsPerNode = 30, namespaces = 50] = process.argv.slice(2).map(Number);
const options = { nodes, podsPerNode, namespaces, seed: 1, now: Date.parse('2025-06-01T00:00:00Z') };
const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function heap(): number {
  gc?.();
  return process.memoryUsage().heapUsed;
}

function pass(retain: boolean): void {
  const base = heap();
  let peak = 0;
  let objects = 0;
  let pods = 0;
  let bytes = 0;
  const kept: string[] = [];
  const start = performance.now();
  for (const object of generateCluster(options)) {
    const json = JSON.stringify(object);
    bytes += json.length;
    objects++;
    if (object.kind === 'Pod') pods++;
    if (retain) kept.push(json);
    if (objects % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  }
  const ms = performance.now() - start;
  const retained = heap() - base;
  console.log(
    `${retain ? 'retaining JSON' : 'streaming     '}: ${objects} objects (${pods} pods) in ${(ms / 1000).toFixed(1)} s, ` +
      `${mib(bytes)} of JSON (${(bytes / objects / 1024).toFixed(1)} KiB/object), heap peak +${mib(peak)}, retained +${mib(retained)}` +
      (kept.length > 0 ? ` (${kept.length} strings)` : ''),
  );
}

if (gc === undefined) console.log('(run with node --expose-gc for exact heap numbers)');
console.log(`generateCluster(${JSON.stringify(options)})`);
pass(false);
pass(true);
