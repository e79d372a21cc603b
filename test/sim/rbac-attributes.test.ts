/** Request → RBAC attributes, as kube-apiserver's RequestInfoFactory derives them (pure; no server). */
import { describe, expect, it } from 'vitest';
import { requestAttributes } from '../../lib/sim/rbac/attributes';

const attrs = (method: string, url: string, upgrade = false) => {
  const u = new URL(url, 'https://sim');
  return requestAttributes(method, u.pathname, u.searchParams, upgrade);
};

describe('requestAttributes', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods', { verb: 'list', resource: 'pods', namespace: 'default', name: '' }],
    ['GET', '/api/v1/pods?watch=true', { verb: 'watch', resource: 'pods', namespace: '', name: '' }],
    ['GET', '/api/v1/watch/namespaces/shop/pods', { verb: 'watch', resource: 'pods', namespace: 'shop' }],
    ['GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb', { verb: 'list', name: 'web' }],
    ['HEAD', '/api/v1/namespaces/default/pods/web', { verb: 'get', name: 'web' }],
    ['DELETE', '/api/v1/namespaces/default/pods', { verb: 'deletecollection', name: '' }],
    ['DELETE', '/api/v1/namespaces/default/pods/web', { verb: 'delete', name: 'web' }],
    ['GET', '/api/v1/namespaces/default/pods/web/log', { verb: 'get', resource: 'pods', subresource: 'log' }],
    ['POST', '/api/v1/namespaces/default/pods/web/exec', { verb: 'create', subresource: 'exec' }],
    [
      'GET',
      '/api/v1/namespaces/default',
      { verb: 'get', resource: 'namespaces', name: 'default', namespace: 'default' },
    ],
    ['PUT', '/api/v1/namespaces/gone/finalize', { verb: 'update', resource: 'namespaces', subresource: 'finalize' }],
    ['GET', '/api/v1/nodes/n1/proxy/stats/summary', { verb: 'get', resource: 'nodes', subresource: 'proxy' }],
    ['GET', '/apis/apps/v1/namespaces/shop/deployments/web/scale', { apiGroup: 'apps', subresource: 'scale' }],
    ['PATCH', '/apis/metrics.k8s.io/v1beta1/nodes/n1', { verb: 'patch', apiGroup: 'metrics.k8s.io', name: 'n1' }],
  ])('%s %s', (method, url, expected) => {
    expect(attrs(method, url)).toMatchObject({ kind: 'resource', ...expected });
  });

  it('checks a websocket exec, attach or port-forward (a GET) as create, as kube-apiserver ≥ 1.31 does', () => {
    for (const sub of ['exec', 'attach', 'portforward'])
      expect(attrs('GET', `/api/v1/namespaces/default/pods/web/${sub}`, true)).toMatchObject({
        verb: 'create',
        subresource: sub,
      });
    expect(attrs('GET', '/api/v1/namespaces/default/pods/web/exec')).toMatchObject({ verb: 'get' });
  });

  it('reads discovery, /version and short paths as non-resource requests with the lower-cased method', () => {
    for (const path of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3'])
      expect(attrs('GET', path)).toEqual({ kind: 'nonResource', verb: 'get', path });
    expect(attrs('POST', '/healthz')).toEqual({ kind: 'nonResource', verb: 'post', path: '/healthz' });
  });
});
