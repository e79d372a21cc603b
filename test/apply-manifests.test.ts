import { describe, expect, it } from 'vitest';
import { jsonErrorPosition } from '../lib/apply/json-error-position';
import { objectJson, parseManifests as parseLazily, type ManifestItem } from '../lib/apply/manifests';
import type { BodyFormat } from '../lib/decode/media-type';

const parseManifests = (body: string, format: BodyFormat, allowGenerateName: boolean) => [...parseLazily(body, format, allowGenerateName)];
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const objects = (items: ManifestItem[]) => items.map((i) => ('object' in i ? JSON.parse(objectJson(i.object, i.object.metadata)) : i.status.message));
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
    const yaml = '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n';
    expect(objects(parseManifests(yaml, 'yaml', false))).toEqual([ns('a'), ns('b')]);
  });

  it('reports a YAML syntax error with document, line and column, and keeps the other documents', () => {
    const yaml = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [Namespace\n  x: y\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n';
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
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]'].join('\n');
    const err = errorOf(parseManifests(bomb, 'yaml', false)[0]);
    expect(err.code).toBe(400);
    expect(err.message).toMatch(/Excessive alias count/);
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
