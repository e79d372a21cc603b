/**
 * The create-only "virtual" resources a client asks questions with — access reviews (kubectl auth can-i),
 * self subject reviews (kubectl auth whoami), token reviews — and serviceaccounts/token (kubectl create
 * token). Nothing is stored: the answer is the request with its status filled in. The simulated cluster
 * allows every authenticated user everything, as for a cluster-admin.
 */
import { randomBytes } from 'node:crypto';
import { isObject, notFound, type KubeObject } from '../object-meta';
import type { HandlerContext } from './context';
import { sendJson } from './io';

const REVIEWS = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authentication.k8s.io/tokenreviews',
]);

export function isReview(ctx: HandlerContext): boolean {
  return REVIEWS.has(ctx.route.res.storageKey);
}

function statusOf(ctx: HandlerContext, body: KubeObject): Record<string, unknown> {
  switch (ctx.route.res.resource) {
    case 'selfsubjectrulesreviews':
      return {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
    case 'selfsubjectreviews':
      return { userInfo: ctx.user };
    case 'tokenreviews': {
      const spec = isObject(body.spec) ? body.spec : {};
      const user = typeof spec.token === 'string' ? ctx.auth.userOf(spec.token) : undefined;
      return user === undefined
        ? { authenticated: false, error: 'invalid bearer token' }
        : { authenticated: true, user, audiences: spec.audiences ?? [] };
    }
    default:
      return { allowed: true, reason: 'the simulated cluster allows every authenticated user' };
  }
}

export function handleReview(ctx: HandlerContext, body: KubeObject): void {
  const { name: _name, namespace, ...meta } = body.metadata;
  const metadata = { ...meta, ...(ctx.route.res.namespaced ? { namespace } : {}), creationTimestamp: null };
  sendJson(ctx.res, 201, {
    kind: body.kind,
    apiVersion: body.apiVersion,
    metadata,
    spec: body.spec ?? {},
    status: statusOf(ctx, body),
  });
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** POST serviceaccounts/<name>/token: a token the simulator accepts, for that service account. */
export function handleTokenRequest(ctx: HandlerContext, body: KubeObject): void {
  const { route, store } = ctx;
  const name = route.name ?? '';
  const namespace = route.namespace ?? '';
  const sa = store.get(route.res, namespace, name);
  if (sa === undefined) throw notFound(route.res, name);
  const spec = isObject(body.spec) ? body.spec : {};
  const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
  const audiences =
    Array.isArray(spec.audiences) && spec.audiences.length > 0
      ? spec.audiences
      : ['https://kubernetes.default.svc.cluster.local'];
  const now = store.clock.now();
  const username = `system:serviceaccount:${namespace}:${name}`;
  // Shaped like the API server's service account JWTs; the signature is random (nothing verifies it but us).
  const claims = {
    aud: audiences,
    exp: Math.floor(now / 1000) + expirationSeconds,
    iat: Math.floor(now / 1000),
    iss: 'https://kubernetes.default.svc.cluster.local',
    sub: username,
    'kubernetes.io': { namespace, serviceaccount: { name, uid: sa.metadata.uid } },
  };
  const token = `${b64url({ alg: 'RS256', kid: 'sim' })}.${b64url(claims)}.${randomBytes(32).toString('base64url')}`;
  ctx.auth.addToken(token, {
    username,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  });
  sendJson(ctx.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: {
      token,
      expirationTimestamp: new Date(now + expirationSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  });
}
