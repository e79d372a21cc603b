import * as v from 'valibot';
import { StatusError } from '../errors';
import type { CombineOp, Point } from './types';

const OPS = ['sum', 'avg', 'max', 'min'] as const satisfies readonly CombineOp[];

/** The op a path names, once lower-cased (/openapi.json documents it from this schema). */
export const COMBINE_OP = v.picklist(OPS);

/**
 * The op a request names, case-insensitively; `sum` when it names none. Anything else is a 400: the op is a word of
 * a closed list, never text passed on (the original pasted it into SQL).
 */
export function parseCombineOp(text: string | undefined): CombineOp {
  if (text === undefined) return 'sum';
  const op = text.toLowerCase();
  if (!v.is(COMBINE_OP, op))
    throw new StatusError('BadRequest', `unknown combine op ${JSON.stringify(text)}: use one of ${OPS.join(', ')}`);
  return op;
}

/**
 * Several series as one, oldest first: the points of the same t combined field by field. A time at which only some
 * series have a point (a pod started or deleted within the window) combines those it has, so `avg` divides by the
 * series present then. cpu and memory stay integers: `avg` rounds.
 */
export function combineSeries(list: Point[][], op: CombineOp): Point[] {
  const byTime = new Map<number, { cpu: number; memory: number; count: number }>();
  for (const points of list) {
    for (const { t, cpu, memory } of points) {
      const acc = byTime.get(t);
      if (acc === undefined) {
        byTime.set(t, { cpu, memory, count: 1 });
        continue;
      }
      acc.count++;
      if (op === 'max') {
        acc.cpu = Math.max(acc.cpu, cpu);
        acc.memory = Math.max(acc.memory, memory);
      } else if (op === 'min') {
        acc.cpu = Math.min(acc.cpu, cpu);
        acc.memory = Math.min(acc.memory, memory);
      } else {
        acc.cpu += cpu;
        acc.memory += memory;
      }
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return times.map((t) => {
    const { cpu, memory, count } = byTime.get(t)!;
    return op === 'avg' ? { t, cpu: Math.round(cpu / count), memory: Math.round(memory / count) } : { t, cpu, memory };
  });
}
