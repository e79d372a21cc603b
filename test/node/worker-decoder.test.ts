import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerDecoder, type WorkerDecoder } from '../../lib/node/worker-decoder';
import { StatusError } from '../../lib/errors';

const SMALL = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\ndata: {k: v}\n';
/** One document of ~3 MB that takes the yaml library seconds, far over the limits set below. */
const SLOW = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: slow}\nspec:\n${'  - {a: 1, b: xxxxxxxxxx}\n'.repeat(100_000)}`;

let decoder: WorkerDecoder | undefined;
afterEach(async () => decoder?.close());

const manifests = (body: string, format: 'json' | 'yaml' = 'yaml') =>
  decoder!.run('manifests', { body: new TextEncoder().encode(body), format, allowGenerateName: false });

async function refusal(work: Promise<unknown>): Promise<StatusError> {
  const outcome = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(outcome instanceof StatusError)) throw new Error(`expected a StatusError, got ${String(outcome)}`);
  return outcome;
}

describe('the worker-thread decoder', () => {
  it('decodes in a worker and hands over the pieces in order', async () => {
    decoder = createWorkerDecoder({ timeoutMs: 30_000, maxHeapMb: 256 });
    const items = await manifests(`${SMALL}---\nkind: x\n`);
    expect(items.map((i) => i.index)).toEqual([0, 1]);
    expect(items[0]).toMatchObject({ object: { kind: 'ConfigMap', metadata: { name: 'small' } } });
    expect(items[1]).toMatchObject({ status: { code: 400 } });
    // A body refused as a whole arrives as the same Status, and the worker serves the next body.
    expect((await refusal(manifests('---\n'.repeat(20_000)))).code).toBe(413);
    expect(await manifests(SMALL)).toHaveLength(1);
  });

  it('terminates a worker past the time limit, answers 413, and decodes the next body in a fresh one', async () => {
    decoder = createWorkerDecoder({ timeoutMs: 500, maxHeapMb: 512 });
    expect(await manifests(SMALL)).toHaveLength(1);
    const late = await refusal(manifests(SLOW));
    expect(late).toMatchObject({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'the request body took longer than 0.5 s to decode (the limit)',
    });
    // Were the busy worker reused, this would wait for it and get its answer about `slow`.
    expect(await manifests(SMALL)).toMatchObject([{ object: { metadata: { name: 'small' } } }]);
  });

  it('answers 413 when a body needs more heap than the worker has, and keeps serving', async () => {
    decoder = createWorkerDecoder({ timeoutMs: 30_000, maxHeapMb: 32 });
    // The worker itself fits; then a body whose text alone is a third of the heap, its value several times it.
    expect(await manifests(SMALL)).toHaveLength(1);
    const huge = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: Array.from({ length: 300_000 }, (_, i) => ({ metadata: { name: `n${i}` } })),
    });
    const refused = await refusal(manifests(huge, 'json'));
    expect(refused).toMatchObject({
      code: 413,
      message: 'the request body needs more than 32 MB to decode (the limit)',
    });
    expect(await manifests(SMALL)).toHaveLength(1);
  });

  it('refuses bodies once closed', async () => {
    decoder = createWorkerDecoder({ timeoutMs: 30_000, maxHeapMb: 256 });
    await decoder.close();
    expect((await refusal(manifests(SMALL))).code).toBe(503);
  });
});
