import {
  Composer,
  CST,
  Lexer,
  LineCounter,
  Parser,
  type Document,
  type DocumentOptions,
  type SchemaOptions,
} from 'yaml';
import { errorMessage } from '../errors';
import { overBudget, type DecodeBudget } from './budget';
import type { DecodedDocument } from './decoded';
import { documentFault } from './document-fault';
import { checkValueBudget } from './value-budget';

/** How values are read: the YAML version and tags (kubeconfigs are read as go-yaml v2 reads them). */
export type YamlSchema = Pick<DocumentOptions & SchemaOptions, 'version' | 'customTags'>;

export interface YamlDecodeOptions {
  schema: YamlSchema;
  budget: DecodeBudget;
}

/** Lexical tokens that each begin a node, a map value or a sequence entry: at most two per node of the value. */
const NODE_TOKENS: ReadonlySet<string> = new Set([
  'scalar',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'alias',
  'flow-map-start',
  'flow-seq-start',
  'seq-item-ind',
  'explicit-key-ind',
  'map-value-ind',
]);
const ANCHOR_TOKENS: ReadonlySet<string> = new Set(['anchor', 'alias']);
/** The yaml library's own alias-expansion check, a cheap early stop before the value is walked. */
const MAX_ALIAS_COUNT = 1_000;
/** The parser's stack holds the document and, above the collections, the scalar being read. */
const STACK_BEYOND_DEPTH = 2;

/**
 * Decodes a YAML stream one document at a time, driving the yaml library's Lexer, Parser and Composer by
 * hand so that each cap is checked while the text is read: a body over budget is refused when the cap is
 * passed, not after the whole stream has been built. Yields each document's value or fault in order;
 * throws a 413 StatusError for a body over budget.
 */
export function* yamlDocuments(text: string, { schema, budget }: YamlDecodeOptions): Generator<DecodedDocument> {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  // Parser.parse() records where the first line starts; driven token by token, that is ours to do.
  lines.addNewLine(0);
  // uniqueKeys off: the library's check is quadratic; documentFault finds duplicates in linear time.
  // logLevel error: the library would print a process warning for some inputs (a collection as a key), which a
  // caller could then write into the server's stderr at will (found by the fuzzer).
  const composer = new Composer({ ...schema, uniqueKeys: false, logLevel: 'error' });
  const where = () => `at line ${lines.linePos(parser.offset).line}`;
  let documents = 0;
  let syntaxNodes = 0;
  let anchors = 0;

  function* settled(docs: Iterable<Document.Parsed>): Generator<DecodedDocument> {
    for (const doc of docs) {
      if (++documents > budget.maxDocuments)
        throw overBudget(
          `the request body holds more than ${budget.maxDocuments} document${budget.maxDocuments === 1 ? '' : 's'} (the limit) ${where()}`,
        );
      yield settle(doc, documents - 1, lines, budget);
    }
  }

  for (const lexeme of new Lexer().lex(text)) {
    const type = CST.tokenType(lexeme);
    if (type === 'doc-mode' || type === 'doc-start') {
      syntaxNodes = 0;
      anchors = 0;
    } else if (type !== null && NODE_TOKENS.has(type) && ++syntaxNodes > 2 * budget.maxNodes) {
      // Twice the cap of such tokens is more nodes than the cap: refused before the document is built.
      throw overBudget(`a document holds more than ${budget.maxNodes} nodes (the limit per document) ${where()}`);
    }
    if (type !== null && ANCHOR_TOKENS.has(type) && ++anchors > budget.maxAnchors) {
      throw overBudget(
        `a document holds more than ${budget.maxAnchors} anchors and aliases (the limit per document) ${where()}`,
      );
    }
    for (const token of parser.next(lexeme)) yield* settled(composer.next(token));
    if (parser.stack.length > budget.maxDepth + STACK_BEYOND_DEPTH) {
      throw overBudget(`a document nests deeper than ${budget.maxDepth} levels (the limit) ${where()}`);
    }
  }
  for (const token of parser.end()) yield* settled(composer.next(token));
  yield* settled(composer.end(false, text.length));
}

/** A composed document's value, or why it has none; throws when the value is over budget. */
function settle(doc: Document.Parsed, index: number, lines: LineCounter, budget: DecodeBudget): DecodedDocument {
  const fault = documentFault(doc, lines);
  if (fault !== undefined) return { fault };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { fault: { message: errorMessage(err) } };
  }
  checkValueBudget(value, budget, index);
  return { value };
}
