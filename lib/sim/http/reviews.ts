/**
 * The create-only "virtual" resources a client asks questions with — access reviews (kubectl auth can-i),
 * self subject reviews (kubectl auth whoami), token reviews — and serviceaccounts/token (kubectl create
 * token). Nothing is stored: the answer is the request with its status filled in. Access and rules reviews
 * answer from the same RBAC rules that authorize requests (lib/sim/rbac).
 */
import { randomBytes } from 'node:crypto';
import { isObject, notFound, type KubeObject } from '../object-meta';
import type { HandlerContext } from './context';
import type { UserInfo } from './auth';
import type { RequestAttributes } from '../rbac/attributes';
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

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The request an access review asks about (`spec.resourceAttributes` or `spec.nonResourceAttributes`). */
function reviewedAttributes(spec: Record<string, unknown>, namespace: string | undefined): RequestAttributes {
  if (isObject(spec.nonResourceAttributes)) {
    const a = spec.nonResourceAttributes;
    return { kind: 'nonResource', verb: text(a.verb), path: text(a.path) };
  }
  const a = isObject(spec.resourceAttributes) ? spec.resourceAttributes : {};
  return {
    kind: 'resource',
    verb: text(a.verb),
    apiGroup: text(a.group),
    apiVersion: text(a.version),
    resource: text(a.resource),
    subresource: text(a.subresource),
    // A LocalSubjectAccessReview is about its own namespace.
    namespace: namespace ?? text(a.namespace),
    name: text(a.name),
  };
}

/** Whom a SubjectAccessReview asks about: `spec.user` and `spec.groups`. */
function reviewedUser(spec: Record<string, unknown>): UserInfo {
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [];
  return { username: text(spec.user), groups };
}

function accessStatus(ctx: HandlerContext, user: UserInfo, attrs: RequestAttributes): Record<string, unknown> {
  const { allowed, reason } = ctx.authorizer.authorize(user, attrs);
  return reason === '' ? { allowed } : { allowed, reason };
}

function statusOf(ctx: HandlerContext, body: KubeObject): Record<string, unknown> {
  const spec = isObject(body.spec) ? body.spec : {};
  switch (ctx.route.res.resource) {
    case 'selfsubjectrulesreviews': {
      const rules = ctx.authorizer.rulesFor(ctx.user, text(spec.namespace));
      return {
        resourceRules: rules.filter((r) => r.nonResourceURLs === undefined),
        nonResourceRules: rules.flatMap((r) =>
          r.nonResourceURLs === undefined ? [] : [{ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }],
        ),
        incomplete: false,
      };
    }
    case 'selfsubjectaccessreviews':
      return accessStatus(ctx, ctx.user, reviewedAttributes(spec, undefined));
    case 'subjectaccessreviews':
      return accessStatus(ctx, reviewedUser(spec), reviewedAttributes(spec, undefined));
    case 'localsubjectaccessreviews':
      return accessStatus(ctx, reviewedUser(spec), reviewedAttributes(spec, body.metadata.namespace ?? ''));
    case 'selfsubjectreviews':
      return { userInfo: ctx.user };
    case 'tokenreviews': {
      const user = typeof spec.token === 'string' ? ctx.auth.userOf(spec.token) : undefined;
      return user === undefined
        ? { authenticated: false, error: 'invalid bearer token' }
        : { authenticated: true, user, audiences: spec.audiences ?? [] };
    }
    default:
      return {};
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
