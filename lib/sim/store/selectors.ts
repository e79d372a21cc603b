/**
 * Label and field selectors as the API server parses them (k8s.io/apimachinery/pkg/labels and fields):
 * labels support `=`, `==`, `!=`, `in (...)`, `notin (...)`, `key` (exists) and `!key`; fields support
 * `=`, `==` and `!=` on the fields a resource declares selectable.
 */
import { StatusError } from '../../errors';

export type Labels = Readonly<Record<string, string>>;

type LabelRequirement =
  { key: string; op: 'in' | 'notin'; values: readonly string[] } | { key: string; op: 'exists' | '!exists' };

export type LabelSelector = readonly LabelRequirement[];
export type FieldSelector = readonly { field: string; op: '=' | '!='; value: string }[];

const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function badSelector(message: string): StatusError {
  return new StatusError('BadRequest', `unable to parse requirement: ${message}`);
}

function checkKey(key: string): string {
  if (!QUALIFIED_NAME.test(key) || key.length > 316)
    throw badSelector(`invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`);
  return key;
}

function checkValue(value: string): string {
  if (value.length > 63 || !LABEL_VALUE.test(value))
    throw badSelector(
      `invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`,
    );
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(input.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(input.slice(start));
  return parts;
}

export function parseLabelSelector(input: string | undefined | null): LabelSelector {
  if (input === undefined || input === null || input.trim() === '') return [];
  return splitTopLevel(input).map((raw): LabelRequirement => {
    const part = raw.trim();
    if (part === '') throw badSelector("found '', expected: !, identifier, or 'end of string'");
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (set) {
      const values = (set[3] ?? '').split(',').map((v) => checkValue(v.trim()));
      return { key: checkKey(set[1] ?? ''), op: set[2] === 'in' ? 'in' : 'notin', values };
    }
    const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (cmp) {
      const value = checkValue((cmp[3] ?? '').trim());
      return { key: checkKey(cmp[1] ?? ''), op: cmp[2] === '!=' ? 'notin' : 'in', values: [value] };
    }
    if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim()), op: '!exists' };
    return { key: checkKey(part), op: 'exists' };
  });
}

export function matchesLabels(selector: LabelSelector, labels: Labels | undefined): boolean {
  for (const req of selector) {
    const value = labels?.[req.key];
    switch (req.op) {
      case 'exists':
        if (value === undefined) return false;
        break;
      case '!exists':
        if (value !== undefined) return false;
        break;
      case 'in':
        if (value === undefined || !req.values.includes(value)) return false;
        break;
      case 'notin':
        if (value !== undefined && req.values.includes(value)) return false;
        break;
    }
  }
  return true;
}

/** Parses `a=b,c!=d`; `supported` lists the field labels the resource accepts (metadata ones are always fine). */
export function parseFieldSelector(
  input: string | undefined | null,
  supported: readonly string[],
  describe: () => string,
): FieldSelector {
  if (input === undefined || input === null || input.trim() === '') return [];
  return input.split(',').map((raw) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(raw.trim());
    if (!m) throw new StatusError('BadRequest', `invalid selector: '${input}'; can't understand '${raw}'`);
    const field = (m[1] ?? '').trim();
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !supported.includes(field)) {
      throw new StatusError(
        'BadRequest',
        `Unable to find ${describe()} that match label selector "", field selector "${input}": field label not supported: ${field}`,
      );
    }
    return { field, op: m[2] === '!=' ? '!=' : '=', value: (m[3] ?? '').trim() };
  });
}

export function matchesFields(selector: FieldSelector, fieldValue: (field: string) => string): boolean {
  for (const req of selector) {
    const equal = fieldValue(req.field) === req.value;
    if (equal !== (req.op === '=')) return false;
  }
  return true;
}

/** `metadata.name=X` pins a list or watch to one object (kubectl get NAME -w, client-go informers on one object). */
export function pinnedName(selector: FieldSelector): string | undefined {
  return selector.find((r) => r.field === 'metadata.name' && r.op === '=')?.value;
}
