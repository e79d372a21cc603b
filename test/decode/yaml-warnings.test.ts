import { setImmediate as turn } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { parseKubeconfig } from '../../lib/clusters/kubeconfig-parse';
import { MANIFEST_BUDGET } from '../../lib/decode/budget';
import { yamlDocuments } from '../../lib/decode/yaml-documents';

it('decodes a manifest or a kubeconfig with a collection used as a key without printing a process warning (the fuzzer found the caller could)', async () => {
  const warnings: string[] = [];
  const listen = (w: Error) => warnings.push(w.message);
  process.on('warning', listen);
  try {
    const docs = [
      ...yamlDocuments('? [complex, key]\n: value\n', { schema: { version: '1.2' }, budget: MANIFEST_BUDGET }),
    ];
    expect(docs).toEqual([{ value: { '[ complex, key ]': 'value' } }]);
    parseKubeconfig('? [complex, key]\n: value\nclusters: []\n', 'upload', '/');
    await turn();
    await turn();
    expect(warnings).toEqual([]);
  } finally {
    process.off('warning', listen);
  }
});
