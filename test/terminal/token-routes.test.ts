import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusError } from '../../lib/errors';
import type { ClusterShell } from '../../lib/terminal/types';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';

/**
 * The token routes under /api/terminal/clusters/:cluster against the simulated cluster: what each checks before a
 * token names its target, and the Status codes of every refusal.
 */

let stack: Stack;
let plain: Stack;
let noShell: Stack;
/** What the kubectl shell says about itself; the cluster termtype follows it. */
let shellUnavailable: string | undefined = 'node-pty is not installed: npm install-scripts approve node-pty';
const clusterShell: ClusterShell = {
  unavailable: () => shellUnavailable,
  start: () => Promise.reject(new StatusError('InternalError', 'not started in this test')),
};

beforeAll(async () => {
  const secret = new TextEncoder().encode('token-routes-test-secret-32-chars!!');
  stack = await startStack({}, {}, { terminal: { secret, idleMs: 180_000, max: 50, clusterShell } });
  noShell = await startStack({}, {}, { terminal: { secret, idleMs: 180_000, max: 50, clusterShell: undefined } });
  plain = await startStack();
});

afterAll(async () => {
  await Promise.all([stack.close(), noShell.close(), plain.close()]);
});

async function get(path: string, base = stack.url): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/terminal/clusters/${path}`);
  return { status: res.status, body: await res.json() };
}

const refusal = (code: number, message: string | RegExp) => ({
  status: code,
  body: expect.objectContaining({
    kind: 'Status',
    status: 'Failure',
    code,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  }),
});

describe('the terminal token routes', () => {
  it("answer the UI's { Success, Token } for a running pod and a container in it, the target bound in the token", async () => {
    const pod = await get(`${CONTEXT}/namespaces/default/pods/busybox/termtype/pod`);
    expect(pod).toEqual({ status: 200, body: { Success: true, Token: expect.any(String) } });
    expect(decodeJwt(pod.body.Token)).toMatchObject({
      cluster: CONTEXT,
      termtype: 'pod',
      namespace: 'default',
      pod: 'busybox',
    });
    expect(decodeJwt(pod.body.Token)).not.toHaveProperty('container');
    const container = await get(
      `${CONTEXT}/namespaces/shop/pods/web-with-sidecar/containers/log-shipper/termtype/container`,
    );
    expect(container.status).toBe(200);
    expect(decodeJwt(container.body.Token)).toMatchObject({
      termtype: 'container',
      pod: 'web-with-sidecar',
      container: 'log-shipper',
    });
  });

  it('refuse a termtype that does not fit the route (400)', async () => {
    for (const path of [
      `${CONTEXT}/namespaces/default/pods/busybox/termtype/container`,
      `${CONTEXT}/namespaces/default/pods/busybox/termtype/cluster`,
      `${CONTEXT}/namespaces/default/pods/busybox/containers/busybox/termtype/pod`,
      `${CONTEXT}/termtype/pod`,
      `${CONTEXT}/termtype/shell`,
    ])
      expect(await get(path), path).toEqual(refusal(400, /^termtype ".*" does not fit this route/));
  });

  it('refuse names that are not Kubernetes names (400)', async () => {
    expect(await get(`${CONTEXT}/namespaces/Default/pods/busybox/termtype/pod`)).toEqual(
      refusal(400, /invalid namespace/),
    );
    expect(await get(`${CONTEXT}/namespaces/default/pods/..%2Fsecrets/termtype/pod`)).toEqual(
      refusal(400, /invalid pod name/),
    );
    expect(await get(`${CONTEXT}/namespaces/default/pods/busybox/containers/a.b/termtype/container`)).toEqual(
      refusal(400, /invalid container name/),
    );
  });

  it('refuse an unknown context, pod or container (404)', async () => {
    expect(await get('nowhere/namespaces/default/pods/busybox/termtype/pod')).toEqual(refusal(404, /nowhere/));
    expect(await get('nowhere/termtype/cluster')).toEqual(refusal(404, /nowhere/));
    expect(await get(`${CONTEXT}/namespaces/default/pods/gone/termtype/pod`)).toEqual(
      refusal(404, /pods "gone" not found/),
    );
    expect(await get(`${CONTEXT}/namespaces/default/pods/busybox/containers/sidecar/termtype/container`)).toEqual(
      refusal(404, 'container "sidecar" not found in pod "default/busybox"'),
    );
  });

  it('refuse a pod that is not running, or a container that is not (409)', async () => {
    expect(await get(`${CONTEXT}/namespaces/shop/pods/batch-worker/termtype/pod`)).toEqual(
      refusal(409, 'pod "shop/batch-worker" is not running (phase Pending)'),
    );
    expect(await get(`${CONTEXT}/namespaces/shop/pods/db-migrate-q7w2k/termtype/pod`)).toEqual(
      refusal(409, /phase Succeeded/),
    );
    expect(await get(`${CONTEXT}/namespaces/shop/pods/flaky-api/termtype/pod`)).toEqual(
      refusal(409, 'container "api" of pod "shop/flaky-api" is not running'),
    );
  });

  it('answer the cluster termtype with 501 saying how to enable it, until the shell can run', async () => {
    expect(await get(`${CONTEXT}/termtype/cluster`)).toEqual(
      refusal(501, 'node-pty is not installed: npm install-scripts approve node-pty'),
    );
    expect(await get(`${CONTEXT}/termtype/cluster`, noShell.url)).toEqual(
      refusal(501, /^the cluster terminal is not enabled on this server: it needs the optional node-pty package/),
    );
    shellUnavailable = undefined;
    const token = await get(`${CONTEXT}/termtype/cluster`);
    expect(token.status).toBe(200);
    expect(decodeJwt(token.body.Token)).toMatchObject({ cluster: CONTEXT, termtype: 'cluster' });
  });

  it('are absent when the terminal is not configured', async () => {
    expect(await get(`${CONTEXT}/namespaces/default/pods/busybox/termtype/pod`, plain.url)).toEqual(
      refusal(404, /the server could not find the requested resource/),
    );
  });
});
