/**
 * Differential test: every KUBECONFIG list of the corpus (test/kubeconfig-corpus*.ts) is read by the real
 * kubectl and by kore-board's registry, and the two readings must agree, context by context, except where
 * the corpus lists a deliberate deviation with its reason. A deviation that no longer shows fails too.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, type CorpusSet, type Pems } from '../helpers/kubeconfig-corpus/corpus';
import { CONTEXT_SETS } from '../helpers/kubeconfig-corpus/contexts';
import { FILE_SETS } from '../helpers/kubeconfig-corpus/files';
import { YAML_SETS } from '../helpers/kubeconfig-corpus/yaml';
import { kubectlFor, kubectlReading } from '../helpers/kubeconfig-corpus/kubectl';
import { ourReading } from '../helpers/kubeconfig-corpus/ours';
import { differences, type Reading } from '../helpers/kubeconfig-corpus/readings';

const CORPUS: readonly CorpusSet[] = [...FILE_SETS, ...YAML_SETS, ...CONTEXT_SETS];

/** kubectl processes at once: the machine has two cores, and other suites run beside this one. */
const KUBECTL_PROCESSES = 4;

let root: string;
const readings = new Map<string, { kubectl: Reading; ours: Reading }>();

function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

function writeSet(set: CorpusSet, dir: string, pems: Pems): void {
  for (const [name, text] of Object.entries(set.files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, expand(text, dir, pems));
  }
  for (const [name, target] of Object.entries(set.links ?? {})) symlinkSync(target, join(dir, name));
}

/** The set's directory as `<dir>`, so deviations can name paths; JSON also drops absent fields. */
function portable(reading: Reading, dir: string): Reading {
  return JSON.parse(JSON.stringify(reading).replaceAll(dir, '<dir>')) as Reading;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kore-kubeconfig-corpus-'));
  const limit = limiter(KUBECTL_PROCESSES);
  const fixture = (name: string) =>
    readFileSync(new URL(`../fixtures/kubeconfig-corpus/${name}`, import.meta.url), 'utf8');
  const pems: Pems = { ca: fixture('ca.pem'), cert: fixture('client.pem'), key: fixture('client.key') };
  await Promise.all(
    CORPUS.map(async (set, index) => {
      const dir = join(root, `set-${String(index).padStart(2, '0')}`);
      const home = join(root, `home-${String(index).padStart(2, '0')}`);
      mkdirSync(home);
      writeSet(set, dir, pems);
      const list = set.list.map((entry) => (entry === '' ? '' : join(dir, entry)));
      const [kubectl, ours] = await Promise.all([kubectlReading(kubectlFor(list, home, limit)), ourReading(list)]);
      readings.set(set.name, { kubectl: portable(kubectl, dir), ours: portable(ours, dir) });
    }),
  );
}, 60_000);

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('kore-board reads a KUBECONFIG list as kubectl does', () => {
  it('has a corpus of at least 20 lists', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CORPUS.map((s) => s.name)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((set) => [set.name, set] as const))('%s', (_name, set) => {
    const reading = readings.get(set.name);
    if (reading === undefined) throw new Error('not read');
    const deviations = (set.deviations ?? []).map(({ reason: _reason, ...difference }) => difference);
    expect(differences(reading.kubectl, reading.ours), JSON.stringify(reading, null, 2)).toEqual(deviations);
  });
});
