import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../handlers/app';
import { uiFiles } from '../../lib/node/ui-files';
import { everyRouteDeps, type EveryRouteDeps } from '../helpers/every-route-app';

/**
 * The "Routes" table of docs/architecture.md against the routes Hono registers: a route added, moved or removed
 * on one side only fails here, and so does a file the table names that is not there.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = 'docs/architecture.md';
/** The method column of the entrances Node serves before the app; not Hono routes. */
const NODE_ENTRANCES = ['Node fast path', 'upgrade'];
/** The method column of the web UI's mount: registered only with `--ui-dir` (AppDeps.ui), so checked on such an app. */
const UI_MOUNT = 'UI (--ui-dir)';
/** Rows that are not routes of the app built without a UI. */
const notPlainRoute = (r: Row) => NODE_ENTRANCES.includes(r.method) || r.method === UI_MOUNT;

interface Row {
  method: string;
  route: string;
  handler: string;
  libs: string[];
}

/** `a`, `b` → [a, b]; a cell without code spans (`—`) names nothing. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

function routeTable(markdown: string): Row[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Routes\n'));
  if (section === undefined) throw new Error(`${DOC} has no "## Routes" section`);
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const header = lines[0]?.split('|').map((c) => c.trim());
  expect(header).toEqual(['', 'method', 'route', 'handler file', 'lib module(s)', '']);
  return lines.slice(2).map((line) => {
    const cells = line.split('|').map((c) => c.trim());
    expect(cells, line).toHaveLength(6);
    const [method = '', route = '', handler = '', libs = ''] = cells.slice(1, 5);
    const routeSpans = codeSpans(route);
    const handlerSpans = codeSpans(handler);
    expect(routeSpans, line).toHaveLength(1);
    expect(handlerSpans, line).toHaveLength(1);
    return { method, route: routeSpans.join(), handler: handlerSpans.join(), libs: codeSpans(libs) };
  });
}

const key = (method: string, path: string) => `${method} ${path}`;

let everyRoute: EveryRouteDeps;
let app: Hono;
let appWithUi: Hono;
let uiDir: string;
let rows: Row[];

beforeAll(async () => {
  everyRoute = await everyRouteDeps();
  const { deps } = everyRoute;
  app = createApp(deps);
  uiDir = mkdtempSync(join(tmpdir(), 'kore-route-table-ui-'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html>');
  appWithUi = createApp({ ...deps, ui: uiFiles(uiDir) });
  rows = routeTable(readFileSync(join(ROOT, DOC), 'utf8'));
});

afterAll(async () => {
  rmSync(uiDir, { recursive: true, force: true });
  await everyRoute.close();
});

describe(`the Routes table of ${DOC}`, () => {
  it('lists exactly the routes Hono registers, each once', () => {
    // app.use('*', …) registers as ALL /*: the middleware (CORS, admission), before every route.
    const isMiddleware = (r: { method: string; path: string }) => r.method === 'ALL' && r.path === '/*';
    expect(app.routes.slice(0, 2).every(isMiddleware)).toBe(true);
    const registered = app.routes.filter((r) => !isMiddleware(r)).map((r) => key(r.method, r.path));
    const documented = rows.filter((r) => !notPlainRoute(r)).map((r) => key(r.method, r.route));
    expect(new Set(documented).size, 'a route is listed twice').toBe(documented.length);
    expect(new Set(registered).size).toBe(registered.length);
    const missing = registered.filter((r) => !documented.includes(r));
    const stale = documented.filter((r) => !registered.includes(r));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it('lists the Node-only entrances that serve /raw and the terminal websocket before the app', () => {
    const node = rows.filter((r) => NODE_ENTRANCES.includes(r.method));
    expect(node.map((r) => `${r.method}: ${r.handler}`).sort()).toEqual([
      'Node fast path: lib/node/raw-fast-path.ts',
      'upgrade: lib/node/terminal-upgrade.ts',
      'upgrade: lib/node/upgrade-proxy.ts',
    ]);
  });

  it("lists the web UI's mount: what an app with a UI registers besides the API, in place of the JSON index at /", () => {
    const keys = (a: Hono) => new Set(a.routes.map((r) => key(r.method, r.path)));
    const plain = keys(app);
    const withUi = keys(appWithUi);
    const added = [...withUi].filter((r) => !plain.has(r));
    const removed = [...plain].filter((r) => !withUi.has(r));
    const ui = rows.filter((r) => r.method === UI_MOUNT);
    expect(ui.map((r) => `${r.route} ${r.handler}`)).toEqual(['/* lib/node/ui-files.ts']);
    expect(added.sort()).toEqual(['GET /*', 'HEAD /*']);
    expect(removed).toEqual(['GET /']);
    // Mounted last: every API route is tried before the UI's catch-all.
    const last = appWithUi.routes.at(-1);
    expect(last && key(last.method, last.path)).toMatch(/^(GET|HEAD) \/\*$/);
  });

  it('names handler files and lib modules that exist', () => {
    const named = rows.flatMap((r) => [r.handler, ...r.libs]);
    expect(named.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
    for (const r of rows) {
      if (notPlainRoute(r)) expect(r.handler).toMatch(/^lib\/node\//);
      else expect(r.handler).toMatch(/^handlers\/[^/]+\.ts$/);
      for (const lib of r.libs) expect(lib).toMatch(/^lib\/.+\.ts$/);
    }
  });
});
