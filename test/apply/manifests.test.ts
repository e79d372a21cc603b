import { describe, expect, it } from 'vitest';
import { jsonErrorPosition } from '../../lib/decode/json-error-position';
import { objectJson, parseManifests as parseLazily, type ManifestItem } from '../../lib/apply/manifests';
import type { BodyFormat } from '../../lib/decode/media-type';
import { statusOf } from '../helpers/status-of';

const parseManifests = (body: string, format: BodyFormat, allowGenerateName: boolean) => [
  ...parseLazily(body, format, allowGenerateName),
];
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const objects = (items: ManifestItem[]) =>
  items.map((i) => ('object' in i ? JSON.parse(objectJson(i.object, i.object.metadata)) : i.status.message));
const errorOf = (item: ManifestItem | undefined) => {
  if (item === undefined || !('status' in item)) throw new Error(`expected an error item, got ${JSON.stringify(item)}`);
  return item.status;
};

describe('parseManifests', () => {
  it('parses one JSON object', () => {
    expect(objects(parseManifests(JSON.stringify(ns('a')), 'json', false))).toEqual([ns('a')]);
  });

  it('expands a kind: List, and a multi-document YAML stream skipping empty documents', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [ns('a'), ns('b')] };
    expect(objects(parseManifests(JSON.stringify(list), 'json', false))).toEqual([ns('a'), ns('b')]);
    const yaml =
      '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n';
    expect(objects(parseManifests(yaml, 'yaml', false))).toEqual([ns('a'), ns('b')]);
  });

  it('reports a YAML syntax error with document, line and column, and keeps the other documents', () => {
    const yaml =
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [Namespace\n  x: y\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n';
    const items = parseManifests(yaml, 'yaml', false);
    expect(items).toHaveLength(3);
    expect(objects(items.slice(0, 1))).toEqual([ns('a')]);
    const err = errorOf(items[1]);
    expect(err.code).toBe(400);
    expect(err.message).toMatch(/^YAML syntax error in document 1 at line \d+, column \d+: /);
    expect(err.details?.index).toBe(1);
    expect(items[2]?.index).toBe(2);
    expect(objects(items.slice(2))).toEqual([ns('c')]);
  });

  it('reports a JSON syntax error with its line and column', () => {
    const [item] = parseManifests('{\n  "apiVersion": "v1",\n  "kind": x\n}', 'json', false);
    expect(errorOf(item).message).toMatch(/^JSON syntax error in document 0 at line 3, column 11: /);
  });

  it('refuses an empty body and a body with no objects', () => {
    expect(() => parseManifests('  \n', 'yaml', false)).toThrow(/empty/);
    expect(() => parseManifests('---\n---\n', 'yaml', false)).toThrow(/no objects/);
  });

  it('names what is missing in each invalid document', () => {
    const cases: Array<[unknown, RegExp]> = [
      [42, /expected an object, got 42/],
      [[1], /expected an object, got an array/],
      [{ kind: 'Namespace', metadata: { name: 'a' } }, /'apiVersion' is missing/],
      [{ apiVersion: 'v1', metadata: { name: 'a' } }, /'Kind' is missing/],
      [{ apiVersion: 'v1', kind: 'Namespace' }, /metadata is missing/],
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: {} }, /metadata.name is required/],
    ];
    for (const [value, message] of cases) {
      const err = errorOf(parseManifests(JSON.stringify(value), 'json', false)[0]);
      expect(err.code).toBe(400);
      expect(err.message).toMatch(message);
    }
  });

  it('accepts generateName only where the caller allows it (create)', () => {
    const gen = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'p-' } });
    expect('object' in parseManifests(gen, 'json', true)[0]!).toBe(true);
    expect(errorOf(parseManifests(gen, 'json', false)[0]).message).toMatch(/metadata.name is required/);
  });

  it('stops a YAML alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x,x]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    const err = errorOf(parseManifests(bomb, 'yaml', false)[0]);
    expect(err.code).toBe(400);
    expect(err.message).toMatch(/Excessive alias count/);
  });
});

describe('names apply builds paths from', () => {
  const configMap = (metadata: Record<string, unknown>) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata });

  it('refuses a name that is not a path segment, a generateName with / or %, and a namespace that is not a DNS label (422)', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ name: '.' }, 'metadata.name', "may not be '.'"],
      [{ name: '..' }, 'metadata.name', "may not be '..'"],
      [{ name: 'a/b' }, 'metadata.name', "may not contain '/'"],
      [{ name: 'a%2fb' }, 'metadata.name', "may not contain '%'"],
      [{ generateName: 'x/' }, 'metadata.generateName', "may not contain '/'"],
      [{ generateName: '%2e%2e' }, 'metadata.generateName', "may not contain '%'"],
      [{ name: 'ok', namespace: '..' }, 'metadata.namespace', 'a lowercase RFC 1123 label must consist of'],
      [{ name: 'ok', namespace: 'Default' }, 'metadata.namespace', 'a lowercase RFC 1123 label must consist of'],
      [{ name: 'ok', namespace: 'n'.repeat(64) }, 'metadata.namespace', 'must be no more than 63 characters'],
      [{ name: 42 }, 'metadata.name', 'must be a string'],
    ];
    for (const [metadata, field, problem] of cases) {
      const status = errorOf(parseManifests(configMap(metadata), 'json', true)[0]);
      expect(status, JSON.stringify(metadata)).toMatchObject({
        code: 422,
        reason: 'Invalid',
        details: { index: 0, kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', field }] },
      });
      expect(status.message).toContain(`${field}: Invalid value: `);
      expect(status.message).toContain(problem);
    }
  });

  it('accepts names with dots, and treats an empty or null namespace as none', () => {
    const [item] = parseManifests(configMap({ name: 'a.b..c', namespace: '', labels: { x: 'y' } }), 'json', false);
    expect(item).toMatchObject({ object: { metadata: { name: 'a.b..c' } } });
    expect('object' in item! && item.object.metadata.namespace).toBeUndefined();
    expect('object' in parseManifests(configMap({ name: 'a', namespace: null }), 'json', false)[0]!).toBe(true);
  });
});

describe('objectJson', () => {
  it('rebuilds the object with the fields apply sets in place of the ones it read', () => {
    const doc = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'a', labels: { app: 'web' }, resourceVersion: '7' },
      spec: { replicas: 2 },
      status: {},
    };
    const [item] = parseManifests(JSON.stringify(doc), 'json', false);
    if (item === undefined || !('object' in item)) throw new Error('expected an object');
    expect(item.object.metadata).toEqual({ name: 'web', namespace: 'a', resourceVersion: '7' });
    expect(JSON.parse(objectJson(item.object, item.object.metadata))).toEqual(doc);
    const moved = JSON.parse(objectJson(item.object, { name: 'web', namespace: 'b' }));
    expect(moved).toEqual({ ...doc, metadata: { name: 'web', namespace: 'b', labels: { app: 'web' } } });
    const bare = parseManifests(
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }),
      'json',
      false,
    )[0];
    if (bare === undefined || !('object' in bare)) throw new Error('expected an object');
    expect(objectJson(bare.object, bare.object.metadata)).toBe(
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}',
    );
  });
});

describe('parseManifests within its budget', () => {
  it('reports a duplicate key in its document, naming the key and both lines, and keeps the other documents', () => {
    const items = parseManifests(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  name: c\n',
      'yaml',
      false,
    );
    expect(objects(items.slice(0, 1))).toEqual([ns('a')]);
    expect(errorOf(items[1])).toMatchObject({
      code: 400,
      message: 'YAML syntax error in document 1 at line 9, column 3: key "name" is set twice (first at line 8)',
    });
  });

  it('refuses a whole body over a cap with 413, JSON as YAML', () => {
    const data = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, 'v']));
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wide' }, data });
    for (const [text, format] of [
      [body, 'json'],
      [`---\n${body}`, 'yaml'],
    ] as const) {
      const error = statusOf(() => parseManifests(text, format, false));
      expect(error.code).toBe(413);
      expect(error.message).toBe('document 0: the map at data has 10001 keys, more than the limit of 10000 per map');
    }
  });
});

describe('jsonErrorPosition', () => {
  it('points at the first offending character', () => {
    expect(jsonErrorPosition('{\n  "kind": x\n}')).toEqual({ line: 2, column: 11 });
    expect(jsonErrorPosition('{"a": [1, 2,]}')).toEqual({ line: 1, column: 13 });
    expect(jsonErrorPosition('{"a": "b"')).toEqual({ line: 1, column: 10 });
    expect(jsonErrorPosition('{"a": 1} x')).toEqual({ line: 1, column: 10 });
    expect(jsonErrorPosition('{"a": tru}')).toEqual({ line: 1, column: 10 });
  });
});
