import { describe, expect, it } from 'vitest';
import { MANIFEST_BUDGET, type DecodeBudget } from '../../lib/decode/budget';
import type { DecodedDocument } from '../../lib/decode/decoded';
import { bodyFormat } from '../../lib/decode/media-type';
import { checkValueBudget } from '../../lib/decode/value-budget';
import { yamlDocuments } from '../../lib/decode/yaml-documents';
import { StatusError } from '../../lib/errors';
import { statusOf } from '../helpers/status-of';

const SMALL: DecodeBudget = { maxDocuments: 3, maxNodes: 50, maxKeysPerMap: 5, maxDepth: 4, maxAnchors: 4 };

/** Reads documents one at a time, keeping those read before a cap stopped the stream. */
function readUntilRefused(
  text: string,
  budget: DecodeBudget,
): { read: DecodedDocument[]; refused: string | undefined } {
  const read: DecodedDocument[] = [];
  try {
    for (const doc of yamlDocuments(text, { schema: { version: '1.2' }, budget })) read.push(doc);
    return { read, refused: undefined };
  } catch (err) {
    if (!(err instanceof StatusError)) throw err;
    return { read, refused: err.message };
  }
}

const refusal = (text: string, budget: DecodeBudget = SMALL) => {
  const error = statusOf(() => [...yamlDocuments(text, { schema: { version: '1.2' }, budget })]);
  expect(error.code).toBe(413);
  expect(error.reason).toBe('RequestEntityTooLarge');
  return error.message;
};

describe('yamlDocuments', () => {
  it('decodes a stream document by document, empty documents included', () => {
    const { read, refused } = readUntilRefused('a: 1\n---\n---\n- x\n- {y: [2]}\n', SMALL);
    expect(refused).toBeUndefined();
    expect(read).toEqual([{ value: { a: 1 } }, { value: null }, { value: ['x', { y: [2] }] }]);
  });

  it('stops at the document past the cap, having decoded only those before it', () => {
    const { read, refused } = readUntilRefused('---\n'.repeat(100_000), SMALL);
    expect(read).toHaveLength(3);
    expect(refused).toMatch(/^the request body holds more than 3 documents \(the limit\) at line \d+$/);
  });

  it('refuses a document over the node cap while reading it, before it is built', () => {
    // The first document never comes out: the lexer's count passes the cap first.
    const { read, refused } = readUntilRefused(`${'- x\n'.repeat(1_000)}---\nok: 1\n`, SMALL);
    expect(read).toEqual([]);
    expect(refused).toMatch(/^a document holds more than 50 nodes \(the limit per document\) at line \d+$/);
  });

  it('counts what aliases expand to against the node cap', () => {
    const anchor = `a: &a [${Array(20).fill('x').join(', ')}]\n`;
    expect(refusal(`${anchor}b: [*a, *a, *a]\n`)).toBe('document 0 holds more than 50 nodes (the limit per document)');
  });

  it('refuses a map over the key cap, naming where it is', () => {
    expect(refusal('spec:\n  data: {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6}\n')).toBe(
      'document 0: the map at spec.data has 6 keys, more than the limit of 5 per map',
    );
  });

  it('refuses nesting past the depth cap while reading, flow and block alike', () => {
    expect(refusal(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toMatch(
      /^a document nests deeper than 4 levels \(the limit\) at line 1$/,
    );
    const block = Array.from({ length: 10 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(refusal(block)).toMatch(/nests deeper than 4 levels/);
    // At the limit itself, the value decodes.
    expect([...yamlDocuments('a: {b: {c: [1]}}', { schema: { version: '1.2' }, budget: SMALL })]).toEqual([
      { value: { a: { b: { c: [1] } } } },
    ]);
  });

  it('refuses too many anchors and aliases (the library resolves each alias by scanning all before it)', () => {
    expect(refusal('- &a x\n- *a\n- &b y\n- *b\n- &c z\n')).toMatch(
      /^a document holds more than 4 anchors and aliases \(the limit per document\) at line 5$/,
    );
  });

  it('finds a duplicate key in linear time and names it with both lines', () => {
    const [doc] = [
      ...yamlDocuments('a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n', { schema: { version: '1.2' }, budget: SMALL }),
    ];
    expect(doc).toEqual({ fault: { message: 'key "c" is set twice (first at line 3)', line: 5, column: 3 } });
    // Keys compare as JSON sees them.
    expect([...yamlDocuments('1: a\n"1": b\n', { schema: { version: '1.2' }, budget: SMALL })][0]).toMatchObject({
      fault: { message: 'key "1" is set twice (first at line 1)' },
    });

    const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: v`).join('\n');
    const started = performance.now();
    const [big] = [
      ...yamlDocuments(`${keys(40_000)}\nk0: again\n`, {
        schema: { version: '1.2' },
        budget: { ...MANIFEST_BUDGET, maxKeysPerMap: 50_000 },
      }),
    ];
    expect(big).toMatchObject({ fault: { message: 'key "k0" is set twice (first at line 1)', line: 40_001 } });
    // The yaml library's own check took 17 s for 40,000 keys.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('reports a syntax error with its position and no excerpt of the text', () => {
    const [doc] = [
      ...yamlDocuments('kind: [Namespace\n  token: s3cret\n', { schema: { version: '1.2' }, budget: SMALL }),
    ];
    expect(doc).toMatchObject({ fault: { line: 1, column: 8 } });
    expect(JSON.stringify(doc)).not.toContain('s3cret');
  });

  it('reads YAML 1.1 when asked, as client-go reads kubeconfigs', () => {
    expect([...yamlDocuments('a: yes', { schema: { version: '1.1' }, budget: SMALL })]).toEqual([
      { value: { a: true } },
    ]);
    expect([...yamlDocuments('a: yes', { schema: { version: '1.2' }, budget: SMALL })]).toEqual([
      { value: { a: 'yes' } },
    ]);
  });
});

describe('checkValueBudget', () => {
  it('holds JSON values to the same caps', () => {
    expect(() => checkValueBudget({ a: [1, 2], b: { c: 'd' } }, SMALL, 0)).not.toThrow();
    expect(statusOf(() => checkValueBudget(Array(60).fill(0), SMALL, 2)).message).toBe(
      'document 2 holds more than 50 nodes (the limit per document)',
    );
    expect(statusOf(() => checkValueBudget([[[[[1]]]]], SMALL, 0)).message).toBe(
      'document 0 nests deeper than 4 levels at [0][0][0][0] (the limit)',
    );
  });
});

describe('bodyFormat', () => {
  it('takes JSON and YAML media types, with parameters and structured-syntax suffixes', () => {
    expect(bodyFormat('application/json; charset=utf-8')).toBe('json');
    expect(bodyFormat('application/merge-patch+json')).toBe('json');
    for (const type of ['application/yaml', 'application/x-yaml', 'TEXT/YAML', 'application/apply-patch+yaml'])
      expect(bodyFormat(type)).toBe('yaml');
  });

  it('refuses anything else with 415, a missing type too', () => {
    for (const type of [
      null,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=b',
      'application/octet-stream',
      'text/json+yaml',
    ]) {
      const error = statusOf(() => bodyFormat(type));
      expect(error.code, String(type)).toBe(415);
      expect(error.reason).toBe('UnsupportedMediaType');
    }
    expect(statusOf(() => bodyFormat(null)).message).toBe(
      'the request has no Content-Type: send application/json or application/yaml',
    );
  });
});
