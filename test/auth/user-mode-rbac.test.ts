/**
 * `--auth user` downstream, over a real port against the simulated cluster that enforces RBAC: a user whose Role lets
 * them read pods in `default` only (and list nodes) reaches the cluster with their own token on every entrance — the
 * Hono `/raw` route, the Node fast path, upgrades, apply, context details, views, metrics and the terminal — and is
 * refused or shown a filtered picture where RBAC denies, served where it allows. The cluster's own request log shows
 * the user's token reached it and the context's client certificate did not.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selfSubjectReview } from '../../lib/auth/self-subject-review';
import { userAuthentication } from '../../lib/auth/token-authentication';
import { silentLogger } from '../../lib/log';
import { embeddedSource } from '../../lib/metrics/embedded-source';
import { createScraper, type MetricsScraper } from '../../lib/metrics/scraper';
import { createMetricsStore } from '../../lib/metrics/store';
import type { SimRequestRecord } from '../../lib/sim';
import { fakeClock } from '../helpers/registry-fixtures';
import { rbacObjects, USERS } from '../helpers/rbac-fixture';
import { execStatus } from './auth-fixtures';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';
import { manualTimers } from '../terminal/manual-timers';
import { fetchToken, openTerminal } from '../terminal/webtty-client';

const clock = fakeClock();
const sessionSecret = new TextEncoder().encode('a session secret of at least 32 characters');
const TERMINAL_SECRET = new TextEncoder().encode('user-mode-terminal-secret-32-chars!!');
const ALICE = 'Bearer alice-token';
const BOB = 'Bearer bob-token';
const ROBOT = 'Bearer robot-token';
let stack: Stack;
let scraper: MetricsScraper | undefined;

beforeAll(async () => {
  const review = (token: string) => selfSubjectReview(stack.registry)(token);
  stack = await startStack(
    { clock },
    { auth: userAuthentication(review, { sessionSecret, clock }) },
    {
      clock,
      metrics: (registry) => {
        const store = createMetricsStore({ windowMs: 15 * 60_000, resolutionMs: 60_000 });
        scraper = createScraper({ registry, store, clock, resolutionMs: 60_000, log: silentLogger });
        return embeddedSource(scraper, store);
      },
      terminal: {
        secret: TERMINAL_SECRET,
        idleMs: 180_000,
        max: 10,
        clusterShell: undefined,
        timers: manualTimers(clock),
      },
    },
  );
  for (const obj of rbacObjects()) stack.sim.store.create(obj);
  for (const [token, user] of Object.entries(USERS)) stack.sim.addToken(token, user);
  await scraper!.scrapeAll();
});
afterAll(async () => stack?.close());
// Access reviews are kept 10 s: each test starts with none remembered.
beforeEach(() => clock.advance(60_000));

/** What reached the cluster while `work` ran, from the cluster's own request log. */
async function seenBy<T>(work: () => Promise<T>): Promise<{ result: T; requests: SimRequestRecord[] }> {
  const before = stack.sim.requests().length;
  const result = await work();
  return { result, requests: stack.sim.requests().slice(before) };
}

const get = async (url: string, authorization: string, extra: Record<string, string> = {}) => {
  const res = await fetch(url, { headers: { authorization, ...extra } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const asAlice = (path: string) => get(`${stack.raw}${path}`, ALICE);
/** The same request through the Hono `/raw` route: a browser's own-origin request is the app's, not the fast path's. */
const asAliceViaApp = (path: string) => get(`${stack.raw}${path}`, ALICE, { origin: stack.url });
const message = (body: Record<string, unknown>) => body.message as string;

/** Every request the cluster saw was alice's own bearer token, never the context's client certificate. */
function onlyAlice(requests: SimRequestRecord[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests)
    expect(r).toMatchObject({ user: 'alice', authorization: true, clientCertificate: false, cookie: false });
}

describe('/raw: the Node fast path and the Hono route', () => {
  it.each([
    ['fast path', asAlice],
    ['Hono route', asAliceViaApp],
  ])('%s: serves pods in default, refuses kube-system in the API server words, as alice only', async (_, as) => {
    const { result, requests } = await seenBy(async () => ({
      allowed: await as('/api/v1/namespaces/default/pods'),
      denied: await as('/api/v1/namespaces/kube-system/pods'),
      everywhere: await as('/api/v1/pods'),
    }));
    expect(result.allowed.status).toBe(200);
    expect((result.allowed.body.items as unknown[]).length).toBeGreaterThan(0);
    expect(result.denied.status).toBe(403);
    expect(message(result.denied.body)).toBe(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"',
    );
    expect(message(result.everywhere.body)).toBe(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope',
    );
    onlyAlice(requests);
  });

  it('upgrades: exec is refused to alice (no create pods/exec) and opened for the robot, each as itself', async () => {
    const { result, requests } = await seenBy(async () => ({
      alice: await execStatus(stack.raw, { authorization: ALICE }),
      robot: await execStatus(stack.raw, { authorization: ROBOT }),
    }));
    expect(result).toEqual({ alice: 403, robot: 101 });
    const upgrades = requests.filter((r) => r.upgrade);
    expect(upgrades.map((r) => r.user)).toEqual(['alice', 'system:serviceaccount:default:robot']);
    expect(upgrades.every((r) => r.authorization && !r.clientCertificate)).toBe(true);
  });
});

describe('apply and context details', () => {
  it('apply is the user’s: a ConfigMap alice may not create is refused by the cluster, as alice', async () => {
    const { result, requests } = await seenBy(async () => {
      const res = await fetch(stack.raw, {
        method: 'POST',
        headers: { authorization: ALICE, 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'alice-was-here', namespace: 'default' },
          data: { a: 'b' },
        }),
      });
      return { status: res.status, text: await res.text() };
    });
    expect(result.status).toBe(403);
    expect(result.text).toContain('User \\"alice\\" cannot create resource \\"configmaps\\"');
    expect(stack.sim.store.get('configmaps', 'default', 'alice-was-here')).toBeUndefined();
    onlyAlice(requests);
  });

  it('context details and namespaces are read with the user’s token', async () => {
    const { result, requests } = await seenBy(async () => ({
      details: await fetch(`${stack.url}/api/contexts/${CONTEXT}`, { headers: { authorization: ALICE } }),
      namespaces: await get(`${stack.url}/api/contexts/${CONTEXT}/namespaces`, ALICE),
    }));
    await result.details.arrayBuffer();
    // alice may not list namespaces: the cluster says so, to alice.
    expect(result.namespaces.status).toBe(403);
    expect(message(result.namespaces.body)).toContain('User "alice" cannot list resource "namespaces"');
    onlyAlice(requests);
  });
});

describe('views: the shared cache, filtered to what the user may list', () => {
  const view = (path: string, authorization: string) =>
    get(`${stack.url}/api/clusters/${CONTEXT}${path}`, authorization);

  it('the topology shows alice the pods of default only, with nodes; the owner-only data never comes from alice', async () => {
    const { result, requests } = await seenBy(() => view('/topology', ALICE));
    expect(result.status).toBe(200);
    const namespaces = new Set(
      (result.body.nodes as { namespace?: string }[]).flatMap((n) => (n.namespace === undefined ? [] : [n.namespace])),
    );
    expect([...namespaces]).toEqual(['default']);
    expect(result.body.warnings).toContainEqual('pods: shown only in the namespaces User "alice" may list: default');
    // The reviews that decided it were alice's own; the cache itself was filled with the context's credentials.
    const reviews = requests.filter((r) => r.url.includes('selfsubjectaccessreviews'));
    expect(reviews.length).toBeGreaterThan(0);
    onlyAlice(reviews);
  });

  it('keeps access reviews 10 s on the clock: the same view again asks nothing, after 10 s it asks again', async () => {
    const reviewsSent = async () =>
      (await seenBy(() => view('/topology/namespaces/default', ALICE))).requests.filter((r) =>
        r.url.includes('selfsubjectaccessreviews'),
      ).length;
    const first = await reviewsSent();
    expect(first).toBeGreaterThan(0);
    expect(await reviewsSent()).toBe(0);
    clock.advance(10_001);
    expect(await reviewsSent()).toBe(first);
  });

  it('a user who may list nothing gets an empty dashboard, not a 403, saying why', async () => {
    const { status, body } = await view('/dashboard', BOB);
    expect(status).toBe(200);
    expect(JSON.stringify(body)).not.toContain('busybox');
    expect(body.warnings).toContainEqual('pods: not shown: User "bob" may not list them');
  });

  it('a pod graph is refused (403) for a pod alice may not get, served for one she may', async () => {
    const kubeSystemPod = stack.sim.store.list('pods', { namespace: 'kube-system' })[0]!.metadata.name!;
    const denied = await view(`/graph/pod/namespaces/kube-system/pods/${kubeSystemPod}`, ALICE);
    expect(denied.status).toBe(403);
    expect(message(denied.body)).toBe(
      `pods "${kubeSystemPod}" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "kube-system"`,
    );
    expect((await view('/graph/pod/namespaces/default/pods/busybox', ALICE)).status).toBe(200);
  });
});

describe('metrics', () => {
  it('the spec routes: pods of default served, kube-system refused, nodes served (alice lists nodes)', async () => {
    const base = `${stack.url}/api/v1/clusters/${CONTEXT}`;
    const kubeSystemPod = stack.sim.store.list('pods', { namespace: 'kube-system' })[0]!.metadata.name!;
    expect((await get(`${base}/namespaces/default/pods/busybox`, ALICE)).status).toBe(200);
    const denied = await get(`${base}/namespaces/kube-system/pods/${kubeSystemPod}`, ALICE);
    expect(denied.status).toBe(403);
    expect(message(denied.body)).toBe(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"',
    );
    expect((await get(base, ALICE)).status).toBe(200);
    expect((await get(base, BOB)).status).toBe(403);
  });

  it('the UI routes read nodes and pods with the user’s token: the node list (all pods) is the cluster’s 403', async () => {
    const { result, requests } = await seenBy(async () => ({
      nodes: await get(`${stack.url}/api/clusters/${CONTEXT}/nodes`, ALICE),
      pod: await get(`${stack.url}/api/clusters/${CONTEXT}/namespaces/default/pods/busybox/pods`, ALICE),
    }));
    expect(result.nodes.status).toBe(403);
    expect(message(result.nodes.body)).toContain('User "alice" cannot list resource "pods"');
    expect(result.pod.status).toBe(200);
    onlyAlice(requests);
  });
});

describe('terminal', () => {
  const tokenUrl = (ns: string, pod: string) =>
    `${stack.url}/api/terminal/clusters/${CONTEXT}/namespaces/${ns}/pods/${pod}/termtype/pod`;

  it('a token for a pod alice may not exec into is refused; the cluster shell is refused to users', async () => {
    const pod = await get(tokenUrl('default', 'busybox'), ALICE);
    expect(pod.status).toBe(403);
    expect(message(pod.body)).toBe(
      'pods "busybox" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    );
    const shell = await get(`${stack.url}/api/terminal/clusters/${CONTEXT}/termtype/cluster`, ALICE);
    expect(shell.status).toBe(403);
  });

  it('the robot opens its own token as itself; the same token presented by alice closes 4401', async () => {
    const robotToken = await fetchToken(tokenUrl('default', 'busybox'), { authorization: ROBOT });
    const stolen = await openTerminal(stack.url, robotToken, { headers: { authorization: ALICE } });
    expect(await stolen.closed).toEqual({ code: 4401, reason: "token refused: another user's terminal token" });

    const own = await fetchToken(tokenUrl('default', 'busybox'), { authorization: ROBOT });
    const { result: t, requests } = await seenBy(async () => {
      const opened = await openTerminal(stack.url, own, { headers: { authorization: ROBOT } });
      opened.type('echo robot-here\r');
      await opened.waitForOutput(/\r\nrobot-here\r\n/);
      return opened;
    });
    const execs = requests.filter((r) => r.upgrade);
    expect(execs.length).toBeGreaterThan(0);
    for (const r of execs)
      expect(r).toMatchObject({ user: 'system:serviceaccount:default:robot', clientCertificate: false });
    t.type('exit\r');
    await t.closed;
  });
});
