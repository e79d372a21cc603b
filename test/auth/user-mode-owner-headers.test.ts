/**
 * The caller's credentials never reach a cluster outside `--auth user`: in `none` and `token` mode a request reaches
 * the cluster with the context's own credentials (here its client certificate) and neither the caller's
 * `Authorization` nor `Cookie` — on every entrance: the Node `/raw` fast path, the Hono `/raw` route, upgrades, apply
 * and views. Checked on the simulated cluster's own request log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenAuthentication } from '../../lib/auth/token-authentication';
import type { SimRequestRecord } from '../../lib/sim';
import { fakeClock } from '../helpers/registry-fixtures';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';
import { execStatus } from './auth-fixtures';

const STATIC_TOKEN = 'owner-static-token-0123456789abcdef';
const clock = fakeClock();
const sessionSecret = new TextEncoder().encode('a session secret of at least 32 characters');

const MODES = [
  { mode: 'none', security: {}, authorization: 'Bearer caller-secret-that-must-stay-here' },
  {
    mode: 'token',
    security: { auth: tokenAuthentication([STATIC_TOKEN], { sessionSecret, clock }) },
    authorization: `Bearer ${STATIC_TOKEN}`,
  },
] as const;

describe.each(MODES)('--auth $mode', ({ security, authorization }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, security, { clock });
  });
  afterAll(async () => stack?.close());

  const headers = { authorization, cookie: 'kore-board-session=caller-cookie; other=caller-cookie-2' };

  /** What reached the cluster while `work` ran. */
  async function seenBy(work: () => Promise<void>): Promise<SimRequestRecord[]> {
    const before = stack.sim.requests().length;
    await work();
    return stack.sim.requests().slice(before);
  }

  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
    await res.arrayBuffer();
    return res.status;
  };

  it.each([
    ['the fast path', () => send(`${stack.raw}/api/v1/namespaces/default/pods`)],
    ['the Hono route', () => send(`${stack.raw}/api/v1/namespaces/default/pods`, { headers: { origin: stack.url } })],
    [
      'apply',
      () =>
        send(`${stack.raw}?dryRun=All`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } }),
        }),
    ],
    ['views', () => send(`${stack.url}/api/clusters/${CONTEXT}/topology/namespaces/default`)],
    ['an upgrade', () => execStatus(stack.raw, headers)],
  ])('%s: the context’s certificate reaches the cluster, the caller’s headers do not', async (_, request) => {
    let status = 0;
    const requests = await seenBy(async () => {
      status = await request();
    });
    expect([200, 201, 101]).toContain(status);
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests)
      expect(r).toMatchObject({
        authorization: false,
        cookie: false,
        clientCertificate: true,
        user: 'kubernetes-admin',
      });
  });
});
