/** The simulator is a product of its own: what it may import from kore-board is a short, named list. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sim = join(root, 'lib/sim');

/** What lib/sim/README.md promises, and why each is there. */
const ALLOWED = [
  'lib/errors.ts', // Status errors
  'lib/log.ts',
  'lib/clock.ts',
  'lib/kube/quantity.ts', // metrics are written in Kubernetes quantities
  'lib/node/listen.ts', // the same listener, refusals and bad-request answers as kore-board's own
  'lib/node/reject-upgrade.ts',
  'lib/node/malformed-requests.ts',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import of a file, as a repository path with its .ts ending. */
function relativeImports(file: string): string[] {
  const specs = [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1]!,
  );
  return specs.map((spec) => {
    const target = relative(root, resolve(dirname(file), spec));
    return target.endsWith('.ts') || target.endsWith('.json') ? target : `${target}.ts`;
  });
}

describe('lib/sim', () => {
  it('imports from the rest of kore-board only what its README names', () => {
    const outside = new Set(
      sources(sim)
        .flatMap(relativeImports)
        .filter((target) => !target.startsWith('lib/sim/')),
    );
    expect([...outside].sort()).toEqual([...ALLOWED].sort());
  });

  it('is reached by the product only through its index', () => {
    const product = ['lib', 'handlers'].flatMap((d) => sources(join(root, d))).filter((f) => !f.startsWith(sim));
    const reaching = product.flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith('lib/sim/') && target !== 'lib/sim/index.ts')
        .map((target) => `${relative(root, file)} → ${target}`),
    );
    expect(reaching).toEqual([]);
  });
});
