import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  JSON_PATCH_FAILED_MESSAGE,
} from '../../lib/sim/patch';
import { statusOf } from '../helpers/status-of';

describe('applyMergePatch (RFC 7386)', () => {
  // The test cases of RFC 7386 appendix A.
  const rfcCases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(rfcCases)('%j + %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('does not modify its inputs and shares nothing with them', () => {
    const target = { metadata: { labels: { app: 'web' } }, spec: { replicas: 1, template: { x: [1] } } };
    const patch = { spec: { replicas: 3, extra: { deep: true } } };
    const before = JSON.stringify([target, patch]);
    const result = applyMergePatch(target, patch) as typeof target & { spec: { extra: object } };
    expect(JSON.stringify([target, patch])).toBe(before);
    expect(result.metadata).not.toBe(target.metadata);
    expect(result.spec.template).not.toBe(target.spec.template);
    expect(result.spec.extra).not.toBe(patch.spec.extra);
    expect(result).toEqual({
      metadata: { labels: { app: 'web' } },
      spec: { replicas: 3, template: { x: [1] }, extra: { deep: true } },
    });
  });

  it('removes a label the way kubectl patch --type merge does', () => {
    const pod = { metadata: { name: 'p', labels: { a: '1', b: '2' } } };
    expect(applyMergePatch(pod, { metadata: { labels: { a: null, c: '3' } } })).toEqual({
      metadata: { name: 'p', labels: { b: '2', c: '3' } },
    });
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  // RFC 6902 appendix A, one example per operation and the error cases.
  it('adds an object member', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({
      foo: 'bar',
      baz: 'qux',
    });
  });
  it('adds an array element in the middle', () => {
    expect(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({
      foo: ['bar', 'qux', 'baz'],
    });
  });
  it('appends with "-" and at index == length', () => {
    const doc = { a: [1, 2] };
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/a/-', value: 3 }])).toEqual({ a: [1, 2, 3] });
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/a/2', value: 3 }])).toEqual({ a: [1, 2, 3] });
  });
  it('removes an object member and an array element', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
    expect(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({
      foo: ['bar', 'baz'],
    });
  });
  it('replaces a value, keeping key order', () => {
    const result = applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]);
    expect(result).toEqual({ baz: 'boo', foo: 'bar' });
    expect(Object.keys(result as object)).toEqual(['baz', 'foo']);
  });
  it('replaces an array element and the whole document', () => {
    expect(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'replace', path: '/a/1', value: 9 }])).toEqual({ a: [1, 9, 3] });
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
  });
  it('moves a value and an array element', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
    expect(
      applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]),
    ).toEqual({
      foo: ['all', 'cows', 'eat', 'grass'],
    });
  });
  it('moves a value onto itself as a no-op, and refuses to move into its own child', () => {
    expect(applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a' }])).toEqual({ a: { b: 1 } });
    expect(statusOf(() => applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }])).code).toBe(
      422,
    );
  });
  it('copies a value deeply (later edits do not alias)', () => {
    const result = applyJsonPatch({ a: { x: [1] } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'add', path: '/b/x/-', value: 2 },
    ]);
    expect(result).toEqual({ a: { x: [1] }, b: { x: [1, 2] } });
  });
  it('tests values with JSON equality (key order ignored, array order not)', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'], obj: { x: 1, y: { z: null } } };
    expect(
      applyJsonPatch(doc, [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
        { op: 'test', path: '/obj', value: { y: { z: null }, x: 1 } },
      ]),
    ).toEqual(doc);
    expect(statusOf(() => applyJsonPatch(doc, [{ op: 'test', path: '/foo', value: ['a', 'c', 2] }])).code).toBe(422);
    expect(statusOf(() => applyJsonPatch(doc, [{ op: 'test', path: '/foo/1', value: '2' }])).code).toBe(422);
  });
  it('escapes ~0 and ~1 in pointers', () => {
    const doc = { metadata: { annotations: { 'example.com/a~b': 'x' } } };
    expect(
      applyJsonPatch(doc, [{ op: 'replace', path: '/metadata/annotations/example.com~1a~0b', value: 'y' }]),
    ).toEqual({
      metadata: { annotations: { 'example.com/a~b': 'y' } },
    });
    expect(applyJsonPatch({}, [{ op: 'add', path: '/~01', value: 1 }])).toEqual({ '~1': 1 });
  });
  it('adds to a nested array addressed by index (a container env var)', () => {
    const pod = { spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] } };
    expect(
      applyJsonPatch(pod, [{ op: 'add', path: '/spec/containers/0/env/-', value: { name: 'B', value: '2' } }]),
    ).toEqual({
      spec: {
        containers: [
          {
            name: 'c',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
        ],
      },
    });
  });
  it('rejects a failed test with the API server wording, 422 Invalid, and applies nothing', () => {
    const doc = { metadata: { name: 'web', labels: { a: '1' } } };
    const err = statusOf(() =>
      applyJsonPatch(doc, [
        { op: 'add', path: '/metadata/labels/b', value: '2' },
        { op: 'test', path: '/metadata/name', value: 'api' },
      ]),
    );
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe(JSON_PATCH_FAILED_MESSAGE);
    expect(err.message).toBe('the server rejected our request due to an error in our request');
    expect(err.details?.causes).toHaveLength(1);
    expect(err.details?.causes?.[0]?.reason).toBe('UnexpectedServerResponse');
    expect(err.details?.causes?.[0]?.message).toContain('/metadata/name');
    expect(err.details?.causes?.[0]).not.toHaveProperty('field');
    expect(err.toStatus()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
    expect(doc).toEqual({ metadata: { name: 'web', labels: { a: '1' } } });
  });
  it.each([
    ['remove of a missing key', [{ op: 'remove', path: '/nope' }]],
    ['replace of a missing key', [{ op: 'replace', path: '/nope', value: 1 }]],
    ['add under a missing parent', [{ op: 'add', path: '/a/b/c', value: 1 }]],
    ['add past the end of an array', [{ op: 'add', path: '/list/5', value: 1 }]],
    ['remove past the end of an array', [{ op: 'remove', path: '/list/2' }]],
    ['remove with "-"', [{ op: 'remove', path: '/list/-' }]],
    ['an index with a leading zero', [{ op: 'replace', path: '/list/01', value: 1 }]],
    ['a non-numeric index', [{ op: 'add', path: '/list/x', value: 1 }]],
    ['a path without a leading slash', [{ op: 'add', path: 'a', value: 1 }]],
    ['a bad escape', [{ op: 'add', path: '/a~2', value: 1 }]],
    ['copy from a missing path', [{ op: 'copy', from: '/nope', path: '/x' }]],
    ['move from a missing path', [{ op: 'move', from: '/nope', path: '/x' }]],
    ['an unknown op', [{ op: 'frobnicate', path: '/a' }]],
    ['add without a value', [{ op: 'add', path: '/a' }]],
    ['an op without a path', [{ op: 'remove' }]],
    ['move without from', [{ op: 'move', path: '/a' }]],
    ['an operation that is not an object', ['add']],
    ['add into a string', [{ op: 'add', path: '/s/x', value: 1 }]],
    ['removing the whole document', [{ op: 'remove', path: '' }]],
  ])('rejects %s with 422', (_name, ops) => {
    const err = statusOf(() => applyJsonPatch({ list: [1, 2], s: 'str' }, ops));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
  });
  it('rejects a body that is not a list of operations with 400', () => {
    const err = statusOf(() => applyJsonPatch({}, { op: 'add', path: '/a', value: 1 }));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
  });
  it('rejects more than 10000 operations with 413', () => {
    const ops = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '', value: {} }));
    expect(statusOf(() => applyJsonPatch({}, ops)).code).toBe(413);
  });
  it('accepts null as a value, and an empty patch', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/b', value: null }])).toEqual({ a: 1, b: null });
    const doc = { a: { b: 1 } };
    const same = applyJsonPatch(doc, []);
    expect(same).toEqual(doc);
    expect(same).not.toBe(doc);
  });
  it('does not modify its inputs', () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    const value = { nested: [1] };
    const result = applyJsonPatch(doc, [
      { op: 'add', path: '/b/v', value },
      { op: 'remove', path: '/a/0' },
    ]) as { b: { v: object } };
    expect(doc).toEqual({ a: [1, 2], b: { c: 1 } });
    expect(result.b.v).not.toBe(value);
  });
});

describe('applyStrategicMergePatch', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              ports: [{ containerPort: 80, name: 'http' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
              args: ['--a', '--b'],
            },
            { name: 'sidecar', image: 'envoy:1' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
          imagePullSecrets: [{ name: 'reg' }],
        },
      },
    },
    status: {
      conditions: [
        { type: 'Available', status: 'True' },
        { type: 'Progressing', status: 'True' },
      ],
    },
  });
  type D = ReturnType<typeof deployment>;
  const container = (d: unknown, i = 0) => (d as D).spec.template.spec.containers[i] as Record<string, unknown>;

  it('merges containers by name: changes one field and keeps the rest', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } },
      'Deployment',
    );
    expect(container(out)).toMatchObject({
      name: 'web',
      image: 'nginx:1.27',
      ports: [{ containerPort: 80, name: 'http' }],
    });
    expect(container(out, 1)).toEqual({ name: 'sidecar', image: 'envoy:1' });
  });
  it('appends a container whose name is new', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'log', image: 'busybox' }] } } } },
      'Deployment',
    ) as D;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['web', 'sidecar', 'log']);
  });
  it('merges env by name, ports by containerPort, volumeMounts by mountPath', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                env: [
                  { name: 'B', value: 'two' },
                  { name: 'C', value: '3' },
                ],
                ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
                volumeMounts: [{ mountPath: '/data', readOnly: true }],
              },
            ],
          },
        },
      },
    };
    const c = container(applyStrategicMergePatch(deployment(), patch, 'Deployment'));
    expect(c.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    expect(c.ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }]);
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }]);
  });
  it('replaces lists without a strategy (args, tolerations)', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'web', args: ['--c'] }] },
          },
        },
      },
      'Deployment',
    ) as D;
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(container(out).args).toEqual(['--c']);
  });
  it('merges volumes and imagePullSecrets by name', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }],
              imagePullSecrets: [{ name: 'reg2' }],
            },
          },
        },
      },
      'Deployment',
    ) as D;
    expect(out.spec.template.spec.volumes.map((v) => v.name)).toEqual(['data', 'cache']);
    expect(out.spec.template.spec.imagePullSecrets).toEqual([{ name: 'reg' }, { name: 'reg2' }]);
  });
  it('deletes a list item with $patch: delete', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'sidecar', $patch: 'delete' },
                { name: 'web', env: [{ name: 'A', $patch: 'delete' }] },
              ],
            },
          },
        },
      },
      'Deployment',
    ) as D;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['web']);
    expect(container(out).env).toEqual([{ name: 'B', value: '2' }]);
  });
  it('replaces a whole merge list with a $patch: replace item', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                { $patch: 'replace' },
                { name: 'only', image: 'x', ports: [{ containerPort: 1, name: null }] },
              ],
            },
          },
        },
      },
      'Deployment',
    ) as D;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x', ports: [{ containerPort: 1 }] }]);
  });
  it('replaces a map with $patch: replace and deletes one with $patch: delete', () => {
    const replaced = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } },
      'Deployment',
    ) as D;
    expect(replaced.spec.strategy).toEqual({ type: 'Recreate' });
    const deleted = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $patch: 'delete' } } },
      'Deployment',
    ) as D;
    expect(deleted.spec).not.toHaveProperty('strategy');
  });
  it('honours $retainKeys (what kubectl apply sends for strategy type changes)', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      'Deployment',
    ) as D;
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    const err = statusOf(() =>
      applyStrategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], other: 1 } } }, 'Deployment'),
    );
    expect(err.code).toBe(422);
    expect(
      statusOf(() =>
        applyStrategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: 'type' } } }, 'Deployment'),
      ).code,
    ).toBe(400);
  });
  it('merges finalizers as a set and honours $deleteFromPrimitiveList', () => {
    const added = applyStrategicMergePatch(deployment(), { metadata: { finalizers: ['b', 'a'] } }, 'Deployment') as D;
    expect(added.metadata.finalizers).toEqual(['a', 'b']);
    const removed = applyStrategicMergePatch(
      added,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      'Deployment',
    ) as D;
    expect(removed.metadata.finalizers).toEqual(['b']);
  });
  it('orders a merged list as $setElementOrder asks', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'new' }, { name: 'web' }],
              containers: [{ name: 'new', image: 'n' }],
            },
          },
        },
      },
      'Deployment',
    ) as D;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['sidecar', 'new', 'web']);
  });
  it('deletes keys with null, including inside merged list items', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        metadata: { labels: { app: null } },
        spec: { template: { spec: { containers: [{ name: 'web', volumeMounts: null }] } } },
      },
      'Deployment',
    ) as D;
    expect(out.metadata.labels).toEqual({});
    expect(container(out)).not.toHaveProperty('volumeMounts');
  });
  it('merges status conditions by type', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { status: { conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] } },
      'Deployment',
    ) as D;
    expect(out.status.conditions).toEqual([
      { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
      { type: 'Progressing', status: 'True' },
    ]);
  });
  it('merges pod containers directly under spec, ownerReferences by uid, and service ports by port', () => {
    const pod = {
      kind: 'Pod',
      metadata: { ownerReferences: [{ uid: 'u1', name: 'rs', kind: 'ReplicaSet' }] },
      spec: { containers: [{ name: 'a', image: 'x' }], initContainers: [{ name: 'init', image: 'i' }] },
    };
    const out = applyStrategicMergePatch(
      pod,
      {
        metadata: {
          ownerReferences: [
            { uid: 'u1', controller: true },
            { uid: 'u2', name: 'other' },
          ],
        },
        spec: { containers: [{ name: 'a', image: 'y' }], initContainers: [{ name: 'init', command: ['true'] }] },
      },
      'Pod',
    );
    expect(out).toEqual({
      kind: 'Pod',
      metadata: {
        ownerReferences: [
          { uid: 'u1', name: 'rs', kind: 'ReplicaSet', controller: true },
          { uid: 'u2', name: 'other' },
        ],
      },
      spec: {
        containers: [{ name: 'a', image: 'y' }],
        initContainers: [{ name: 'init', image: 'i', command: ['true'] }],
      },
    });
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    expect(applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service')).toEqual({
      spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] },
    });
  });
  it('reaches CronJob pod templates through jobTemplate', () => {
    const cj = {
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'c', image: 'a' },
                  { name: 'd', image: 'b' },
                ],
              },
            },
          },
        },
      },
    };
    const out = applyStrategicMergePatch(
      cj,
      { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'd', image: 'z' }] } } } } } },
      'CronJob',
    );
    expect(out).toEqual({
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'c', image: 'a' },
                  { name: 'd', image: 'z' },
                ],
              },
            },
          },
        },
      },
    });
  });
  it('replaces lists for kinds it has no schema for, but still merges maps', () => {
    const obj = { spec: { items: [{ name: 'a', v: 1 }] }, data: { a: '1' } };
    expect(applyStrategicMergePatch(obj, { spec: { items: [{ name: 'b' }] }, data: { b: '2' } }, 'Widget')).toEqual({
      spec: { items: [{ name: 'b' }] },
      data: { a: '1', b: '2' },
    });
  });
  it('creates a missing merge list from the patch, dropping delete items', () => {
    const out = applyStrategicMergePatch(
      { spec: { containers: [{ name: 'a' }] } },
      {
        spec: {
          containers: [
            {
              name: 'a',
              env: [
                { name: 'X', value: '1' },
                { name: 'Y', $patch: 'delete' },
              ],
            },
          ],
        },
      },
      'Pod',
    );
    expect(out).toEqual({ spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } });
  });
  it('fails on a merge-list item without its key as the API server does (500)', () => {
    const err = statusOf(() =>
      applyStrategicMergePatch(
        deployment(),
        { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
        'Deployment',
      ),
    );
    expect(err.code).toBe(500);
    expect(err.message).toContain('does not contain declared merge key: name');
  });
  it('rejects a non-object patch, an unknown $patch and a non-object merge item with 400', () => {
    expect(statusOf(() => applyStrategicMergePatch({}, [1], 'Pod')).code).toBe(400);
    expect(statusOf(() => applyStrategicMergePatch({}, { spec: { $patch: 'explode' } }, 'Pod')).code).toBe(400);
    expect(statusOf(() => applyStrategicMergePatch({}, { spec: { containers: ['a'] } }, 'Pod')).code).toBe(400);
  });
  it('does not modify its inputs and shares nothing with them', () => {
    const target = deployment();
    const patch = { spec: { template: { spec: { containers: [{ name: 'new', image: 'n', env: [{ name: 'E' }] }] } } } };
    const before = JSON.stringify([target, patch]);
    const out = applyStrategicMergePatch(target, patch, 'Deployment') as D;
    expect(JSON.stringify([target, patch])).toBe(before);
    expect(out.status).not.toBe(target.status);
    expect(out.spec.template.spec.containers[0]).not.toBe(target.spec.template.spec.containers[0]);
    expect(out.spec.template.spec.containers[2]).not.toBe(patch.spec.template.spec.containers[0]);
  });
  it('leaves no directive keys in the result', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              $patch: 'merge',
              containers: [{ name: 'x', $patch: 'merge', env: [{ name: 'Q', $patch: 'merge' }] }],
            },
          },
        },
      },
      'Deployment',
    );
    expect(JSON.stringify(out)).not.toContain('$patch');
  });
});
