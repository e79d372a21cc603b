/**
 * The part of Kubernetes JSONPath that CRDs use in `additionalPrinterColumns` and scale subresource paths:
 * `.a.b`, `['a.b']`, `[2]`, `[-1]`, `[*]` and `[?(@.type=="Ready")]` filters (`==`, `!=`). Anything else
 * selects nothing, as a column whose path finds no value prints empty.
 */
import { isObject } from '../object-meta';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

const FILTER = /^\?\(@((?:\.[^.=!\s)]+)+)\s*(==|!=)\s*(.+?)\s*\)$/;

function literal(text: string): unknown {
  if (/^'.*'$/.test(text) || /^".*"$/.test(text)) return text.slice(1, -1);
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

function bracket(inner: string): Step | undefined {
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  if (/^'.*'$/.test(inner) || /^".*"$/.test(inner)) return { kind: 'field', name: inner.slice(1, -1) };
  const m = FILTER.exec(inner);
  if (m === null) return undefined;
  const value = literal(m[3] as string);
  return value === undefined
    ? undefined
    : { kind: 'filter', path: (m[1] as string).slice(1).split('.'), op: m[2] as '==' | '!=', value };
}

/** The steps of a path, or undefined when it uses syntax outside the subset. */
function parse(path: string): Step[] | undefined {
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^\.([^.[\]]+)/.exec(path.slice(i));
      if (m === null) return undefined;
      steps.push(m[1] === '*' ? { kind: 'all' } : { kind: 'field', name: m[1] as string });
      i += m[0].length;
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i);
      const step = end === -1 ? undefined : bracket(path.slice(i + 1, end).trim());
      if (step === undefined) return undefined;
      steps.push(step);
      i = end + 1;
    } else return undefined;
  }
  return steps;
}

function fieldAt(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const key of path) cur = isObject(cur) ? cur[key] : undefined;
  return cur;
}

function apply(step: Step, value: unknown): unknown[] {
  switch (step.kind) {
    case 'field':
      return isObject(value) && value[step.name] !== undefined ? [value[step.name]] : [];
    case 'index': {
      if (!Array.isArray(value)) return [];
      const i = step.index < 0 ? value.length + step.index : step.index;
      return i >= 0 && i < value.length ? [value[i]] : [];
    }
    case 'all':
      return Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    case 'filter': {
      const items = Array.isArray(value) ? value : [value];
      return items.filter((item) => {
        const found = fieldAt(item, step.path);
        return step.op === '==' ? found === step.value : found !== undefined && found !== step.value;
      });
    }
  }
}

/** Every value `path` selects in `root`, in document order. */
export function jsonPathValues(root: unknown, path: string): unknown[] {
  const steps = parse(path.trim().replace(/^\{(.*)\}$/, '$1'));
  if (steps === undefined) return [];
  let values: unknown[] = [root];
  for (const step of steps) values = values.flatMap((v) => apply(step, v));
  return values;
}

/** The first value `path` selects, or undefined. */
export function jsonPathValue(root: unknown, path: string): unknown {
  return jsonPathValues(root, path)[0];
}

/** Sets the value at a path of plain fields (`.spec.replicas`), creating the objects on the way. */
export function setJsonPathValue(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.replace(/^\./, '').split('.');
  let cur = root;
  keys.slice(0, -1).forEach((key) => {
    const next = cur[key];
    cur = isObject(next) ? next : (cur[key] = {});
  });
  cur[keys[keys.length - 1] as string] = value;
}
