import { isScalar, visit, type Document, type LineCounter } from 'yaml';
import type { DocumentFault } from './decoded';

/**
 * Why a composed YAML document cannot be used: its first syntax error, else its first duplicate key.
 * Messages carry no excerpt of the text, which could quote a secret.
 */
export function documentFault(doc: Document.Parsed, lines: LineCounter): DocumentFault | undefined {
  const error = doc.errors[0];
  if (error === undefined) return findDuplicateKey(doc, lines);
  const at = lines.linePos(error.pos[0]);
  return { message: error.message.split('\n')[0] ?? error.code, line: at.line, column: at.col };
}

/**
 * The first key set twice in one map, which kubectl refuses ("key already set in map"). The yaml library's
 * own check (`uniqueKeys`) compares each key with every earlier one, quadratic in a map's keys (40,000 keys
 * took 17 s); this is one Set per map. Keys compare as JSON will see them, so `1` and `"1"` are the same key.
 * Only scalar keys are compared: a map or sequence cannot be a JSON key at all.
 */
function findDuplicateKey(doc: Document.Parsed, lines: LineCounter): DocumentFault | undefined {
  let fault: DocumentFault | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const { key } of map.items) {
        // A merge key (`<<`, read as a symbol) is not a key of the value.
        if (!isScalar(key) || typeof key.value === 'symbol' || key.range === undefined || key.range === null) continue;
        const name = String(key.value);
        const first = seen.get(name);
        if (first === undefined) {
          seen.set(name, key.range[0]);
          continue;
        }
        const at = lines.linePos(key.range[0]);
        fault = {
          message: `key ${JSON.stringify(name)} is set twice (first at line ${lines.linePos(first).line})`,
          line: at.line,
          column: at.col,
        };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return fault;
}
