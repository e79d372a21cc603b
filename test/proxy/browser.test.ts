/**
 * What a cluster's page can do to kore-board's origin, seen by a real browser: headless Chromium (Debian's
 * package, driven by playwright-core) visits pages that a pod serves through the API server's service
 * proxy, through kore-board's /raw, on the whole stack in front of the simulated cluster over TLS.
 *
 * Each attack is also run once with kore-board's sandbox taken off the response (a route rewrites it in the
 * browser): the same page then does read our APIs, so a page that merely failed to work cannot pass.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'undici';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p !== undefined && p !== '' && existsSync(p),
);
// In CI a missing browser fails the suite: .ci/run installs it, and a skip there would go unnoticed for ever.
const SKIP = CHROMIUM === undefined && process.env.CI !== 'true';
if (SKIP)
  console.warn(
    'test/proxy/browser.test.ts skipped: no chromium executable (apt-get install -y chromium, or set CHROMIUM_PATH)',
  );

const PROXY = '/api/v1/namespaces/default/services/web:80/proxy';

/** What the pod answers with besides its page: what it would like a browser to do on our origin. */
const POD_HEADERS = {
  'set-cookie': ['pod_session=stolen; Path=/', 'pod_wide=stolen; Path=/; SameSite=None'],
  'content-security-policy': "script-src 'unsafe-inline' 'self'",
};

/**
 * The pod's script: take what our origin has (cookies, the context list, another namespace's Secrets, an
 * apply) and show it. `started` is set before anything is awaited: a title without it means it never ran.
 */
const STEAL = `
document.title = 'started';
(async () => {
  const name = new URLSearchParams(location.search).get('name') ?? 'planted';
  const loot = {};
  try { loot.cookie = document.cookie; } catch (e) { loot.cookie = 'refused: ' + e.name; }
  const grab = async (key, url, init) => {
    try { const r = await fetch(url, init); loot[key] = r.status + ' ' + (await r.text()); } catch (e) { loot[key] = 'refused: ' + e.message; }
  };
  await grab('clusters', '/api/clusters');
  await grab('secrets', '/raw/clusters/${CONTEXT}/api/v1/namespaces/kube-system/secrets');
  await grab('apply', '/raw/clusters/${CONTEXT}', { method: 'POST', headers: { 'content-type': 'application/yaml' },
    body: 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: ' + name + '\\n  namespace: default\\n' });
  const pre = document.createElement('pre');
  pre.id = 'loot';
  pre.textContent = JSON.stringify(loot);
  document.body.append(pre);
  document.title = 'ran';
})();
`;

const html = (head: string) =>
  `<!doctype html><html><head><title>pod page</title>${head}</head><body><h1>pod</h1></body></html>`;

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let tab: Page;
/** A page on another origin (another port), as any site the user visits could be. */
let foreign: Server;
let foreignOrigin: string;

/** Serves kore-board's real answer with its sandbox taken off: what the browser got before the fix. */
async function unsandboxed(route: Route): Promise<void> {
  const response = await route.fetch();
  const { 'content-security-policy': _csp, ...headers } = response.headers();
  await route.fulfill({ response, headers });
}

const planted = (name: string) => stack.sim.store.getRecord('configmaps', 'default', name);

async function loot(): Promise<Record<string, string>> {
  await tab.waitForFunction(() => document.title === 'ran');
  return JSON.parse((await tab.textContent('#loot')) ?? '{}') as Record<string, string>;
}

/** The foreign page's script: a credentialed read through kore-board of what the cluster's CORS allows it. */
function corsProbe(url: string): string {
  return `fetch(${JSON.stringify(url)}, { credentials: 'include' }).then((r) => r.text(), (e) => 'refused: ' + e.message).then((t) => { document.title = t; });`;
}

describe.skipIf(SKIP)('/raw in Chromium', () => {
  beforeAll(async () => {
    if (CHROMIUM === undefined)
      throw new Error("CI=true and no chromium executable: .ci/run installs Debian's chromium");
    stack = await startStack();
    foreign = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html(`<script>${corsProbe(decodeURIComponent(req.url?.slice(1) ?? ''))}</script>`));
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
    // localhost, not 127.0.0.1: another origin, still on the loopback interface.
    foreignOrigin = `http://localhost:${(foreign.address() as { port: number }).port}`;
    stack.sim.answerProxy(`${PROXY}/`, {
      status: 200,
      headers: { ...POD_HEADERS, 'content-type': 'text/html; charset=utf-8' },
      body: html(`<script>${STEAL}</script>`),
    });
    stack.sim.answerProxy(`${PROXY}/tag.html`, {
      status: 200,
      headers: { ...POD_HEADERS, 'content-type': 'text/html' },
      body: html('<script src="steal.js"></script>'),
    });
    stack.sim.answerProxy(`${PROXY}/steal.js`, {
      status: 200,
      headers: { 'content-type': 'text/javascript' },
      body: STEAL,
    });
    // HTML under a JSON label: with nosniff it stays text.
    stack.sim.answerProxy(`${PROXY}/data.json`, {
      status: 200,
      headers: { ...POD_HEADERS, 'content-type': 'application/json' },
      body: html(`<script>${STEAL}</script>`),
    });
    // The cluster's CORS, as an API server with --cors-allowed-origins (or a pod) answers the foreign page.
    stack.sim.answerProxy(`${PROXY}/cors`, {
      status: 200,
      headers: {
        'content-type': 'application/json',
        'access-control-allow-origin': foreignOrigin,
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
      },
      body: '{"secret":"for the foreign page"}',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => foreign?.close(r));
    await stack?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext();
    tab = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  describe('a pod page through /raw', () => {
    it("the cluster really sends Set-Cookie, CSP and CORS headers (so their absence below is kore-board's doing)", async () => {
      const dispatcher = new Agent({
        connect: { ca: stack.sim.caPem, cert: stack.sim.client.certPem, key: stack.sim.client.keyPem },
      });
      try {
        for (const path of [`${PROXY}/`, `${PROXY}/cors`]) {
          const res = await request(`${stack.sim.url}${path}`, { dispatcher });
          await res.body.text();
          expect(res.statusCode).toBe(200);
          if (path.endsWith('/cors')) expect(res.headers['access-control-allow-origin']).toBe(foreignOrigin);
          else expect(res.headers['set-cookie']).toEqual(POD_HEADERS['set-cookie']);
        }
      } finally {
        await dispatcher.close();
      }
    });

    it.each([
      ['an inline script', '/?name=inline'],
      ['a script tag', '/tag.html?name=tag'],
    ])('a text/html page with %s does not run, sets no cookie, and is opaque', async (_kind, path) => {
      const response = await tab.goto(`${stack.raw}${PROXY}${path}`);
      expect(response?.status()).toBe(200);
      // Scripts run while the page is parsed, before `load` (which goto waited for): the first line never ran.
      expect(await tab.title()).toBe('pod page');
      expect(await tab.locator('#loot').count()).toBe(0);
      expect(await context.cookies()).toEqual([]);
      expect(await tab.evaluate(() => window.origin)).toBe('null');
      expect(planted(new URLSearchParams(path.split('?')[1]).get('name')!)).toBeUndefined();
      const headers = await response!.allHeaders();
      expect(headers['content-security-policy']).toBe("sandbox; default-src 'none'");
      expect(headers['x-content-type-options']).toBe('nosniff');
    });

    it('the same page with the sandbox taken off reads our APIs and applies: the attack the sandbox stops', async () => {
      await tab.route(`${stack.raw}${PROXY}/**`, unsandboxed);
      await tab.goto(`${stack.raw}${PROXY}/?name=unsandboxed`);
      const got = await loot();
      expect(got['clusters']).toMatch(/^200 .*"sim"/);
      expect(got['secrets']).toMatch(/^200 .*"SecretList"/);
      expect(got['apply']).toMatch(/^20[01] /);
      expect(planted('unsandboxed')).toBeDefined();
    });

    it('a JSON answer is shown as text, runs nothing, and cannot fetch our APIs from its opaque origin', async () => {
      const response = await tab.goto(`${stack.raw}${PROXY}/data.json?name=json`);
      expect(await tab.title()).not.toMatch(/started|ran/);
      expect(await tab.evaluate(() => document.body.innerText)).toContain('<script>');
      expect(await tab.evaluate(() => window.origin)).toBe('null');
      const headers = await response!.allHeaders();
      expect(headers['content-security-policy']).toBe('sandbox');
      expect(headers['x-content-type-options']).toBe('nosniff');
      // Even code that did run there (DevTools does) is a foreign, opaque origin to kore-board.
      const probe = () =>
        fetch('/api/clusters').then(
          (r) => `${r.status}`,
          (e: Error) => `refused: ${e.message}`,
        );
      expect(await tab.evaluate(probe)).toMatch(/^refused/);
      expect(await context.cookies()).toEqual([]);
      // The same probe from a page of our own origin does read it.
      await tab.goto(`${stack.url}/healthz`);
      expect(await tab.evaluate(probe)).toBe('200');
    });

    it('a Kubernetes API answer is opaque as well', async () => {
      const response = await tab.goto(`${stack.raw}/api/v1/namespaces/default/pods`);
      expect(response?.status()).toBe(200);
      expect((await response!.allHeaders())['content-security-policy']).toBe('sandbox');
      expect(await tab.evaluate(() => window.origin)).toBe('null');
      expect(await tab.evaluate(() => JSON.parse(document.body.innerText).kind)).toBe('PodList');
    });
  });

  describe("the cluster's CORS", () => {
    const target = () => `${stack.raw}${PROXY}/cors`;

    /** What the foreign page's script read. */
    async function readFromForeignPage(): Promise<string> {
      await tab.goto(`${foreignOrigin}/${encodeURIComponent(target())}`);
      await tab.waitForFunction(() => document.title !== 'pod page');
      return tab.title();
    }

    /**
     * The response headers Chromium's network stack received for `url`: the page never sees an answer that
     * CORS refused (nor does playwright's `response` event), DevTools' network domain does.
     */
    async function receivedHeaders(url: string): Promise<() => Record<string, string> | undefined> {
      const cdp = await context.newCDPSession(tab);
      await cdp.send('Network.enable');
      const requests = new Set<string>();
      let received: Record<string, string> | undefined;
      cdp.on('Network.requestWillBeSent', (e) => {
        if (e.request.url === url) requests.add(e.requestId);
      });
      cdp.on('Network.responseReceivedExtraInfo', (e) => {
        if (requests.has(e.requestId))
          received = Object.fromEntries(Object.entries(e.headers).map(([name, value]) => [name.toLowerCase(), value]));
      });
      return () => received;
    }

    it("does not let a foreign page read through kore-board what the cluster's CORS would allow", async () => {
      const received = await receivedHeaders(target());
      expect(await readFromForeignPage()).toMatch(/^refused/);
      const headers = received();
      expect(headers?.['content-security-policy']).toBe('sandbox');
      expect(Object.keys(headers ?? {}).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    });

    it("would, were the cluster's CORS headers passed on (so the refusal above is theirs to miss)", async () => {
      await tab.route(target(), async (route) => {
        const response = await route.fetch();
        await route.fulfill({
          response,
          headers: {
            ...response.headers(),
            'access-control-allow-origin': foreignOrigin,
            'access-control-allow-credentials': 'true',
          },
        });
      });
      expect(await readFromForeignPage()).toBe('{"secret":"for the foreign page"}');
    });
  });
});
