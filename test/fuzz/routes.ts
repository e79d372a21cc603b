/**
 * Every route of ours, read from docs/architecture.md's Routes table (which test/handlers/route-table.test.ts
 * holds equal to `app.routes` both ways), so a route added there is fuzzed without anyone listing it here.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RouteTemplate {
  /** GET, POST, ..., `ALL`, `Node fast path`, `upgrade` or `UI (--ui-dir)`, as the table says. */
  method: string;
  /** Hono's pattern: `/api/clusters/:cluster/topology`, `/raw/clusters/*`. */
  path: string;
}

const DOC = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/architecture.md');

export function routeTemplates(markdown = readFileSync(DOC, 'utf8')): RouteTemplate[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Routes\n')) ?? '';
  const rows = section.split('\n').filter((line) => /^\| [^-]/.test(line) && !line.startsWith('| method '));
  return rows.flatMap((line) => {
    const [method = '', route = ''] = line
      .split('|')
      .map((c) => c.trim())
      .slice(1, 3);
    const path = /`([^`]+)`/.exec(route)?.[1];
    return path === undefined ? [] : [{ method, path }];
  });
}

/** The parameter names of a pattern, in order (`*` included as `*`). */
export const paramsOf = (path: string): string[] => [...path.matchAll(/:([a-z]+)|\*/g)].map((m) => m[1] ?? '*');

/** The pattern with each parameter replaced by `fill(name)` (already encoded as it goes on the wire). */
export function fillRoute(path: string, fill: (name: string) => string): string {
  return path.replace(/:([a-z]+)|\*/g, (_m, name: string | undefined) => fill(name ?? '*'));
}
