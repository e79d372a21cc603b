import { Hono, type Context } from 'hono';
import { requireAccess } from '../lib/auth/access-gate';
import type { AccessReviews } from '../lib/auth/access-reviews';
import type { Principal } from '../lib/auth/principal';
import { connectionAs } from '../lib/clusters/principal-connection';
import type { ClusterConnection, ClusterRegistry } from '../lib/clusters/types';
import * as v from 'valibot';
import { StatusError } from '../lib/errors';
import { kubeJson } from '../lib/kube/request';
import type { TerminalTokens } from '../lib/terminal/token';
import type { ClusterShell, TerminalTarget, TermType } from '../lib/terminal/types';
import { labelParam, subdomainParam } from './path-names';
import { principalOf } from './principal-of';

/**
 * The web terminal's token routes, mounted at `/api/terminal/clusters/:cluster`: `termtype/:termtype` (the kubectl
 * shell), `namespaces/:ns/pods/:pod/termtype/:termtype` (a pod's default container) and
 * `.../containers/:container/termtype/:termtype`. The target is checked before a token names it: the context
 * loaded (404/503), the pod there (404) and running (409), the container in it (404) and running (409); a termtype
 * that does not fit the route is 400. The answer is the UI's `{ "Success": true, "Token": "<jwt>" }`.
 *
 * A user (`--auth user`) is checked with their own token: the pod is read as them, `create pods/exec` on it must be
 * allowed (SelfSubjectAccessReview), and the token names them, so only they can open it. The cluster terminal is
 * refused to users (403): it runs kubectl with the context's own credentials, which are never used on a user's behalf.
 */

export interface TerminalDeps {
  tokens: TerminalTokens;
  /** The kubectl shell on this machine; absent or unavailable: the cluster termtype answers 501. */
  clusterShell?: ClusterShell;
}

const SHELL_REFUSED_TO_USERS =
  "the cluster terminal runs kubectl with the context's own credentials, which are never used for a user signed in with their own (--auth user)";

const NOT_ENABLED =
  'the cluster terminal is not enabled on this server: it needs the optional node-pty package, and --terminal-shell when listening beyond loopback';

const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

interface Pod {
  metadata?: { annotations?: Record<string, string> };
  spec?: { containers?: { name?: string }[] };
  status?: { phase?: string; containerStatuses?: { name?: string; state?: { running?: object } }[] };
}

/** The termtype each route takes; /openapi.json documents them from these schemas. */
export const TERMTYPES = {
  cluster: v.literal('cluster'),
  pod: v.literal('pod'),
  container: v.literal('container'),
} satisfies Record<TermType, v.GenericSchema<string>>;

function checkTermtype(given: string, route: TermType): TermType {
  if (!v.is(TERMTYPES[route], given))
    throw new StatusError('BadRequest', `termtype ${JSON.stringify(given)} does not fit this route: use "${route}"`);
  return route;
}

/** The container `kubectl exec` picks when none is named: the annotated default, else the first. */
function defaultContainer(pod: Pod, names: string[]): string | undefined {
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  return annotated !== undefined && names.includes(annotated) ? annotated : names[0];
}

async function checkPodTarget(conn: ClusterConnection, target: TerminalTarget): Promise<void> {
  const { namespace = '', pod: name = '', container } = target;
  const where = `pod "${namespace}/${name}"`;
  const pod = await kubeJson<Pod>(conn, {
    path: `/api/v1/namespaces/${namespace}/pods/${name}`,
  });
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') throw new StatusError('Conflict', `${where} is not running (phase ${phase})`);
  const names = (pod.spec?.containers ?? []).flatMap((c) => (c.name === undefined ? [] : [c.name]));
  if (container !== undefined && !names.includes(container))
    throw new StatusError('NotFound', `container "${container}" not found in ${where}`);
  const chosen = container ?? defaultContainer(pod, names);
  const state = pod.status?.containerStatuses?.find((s) => s.name === chosen)?.state;
  if (state?.running === undefined)
    throw new StatusError('Conflict', `container "${chosen ?? ''}" of ${where} is not running`);
}

/** `access` asks the cluster what a user (`--auth user`) may do. */
export function terminalRoutes(registry: ClusterRegistry, deps: TerminalDeps, access: AccessReviews): Hono {
  const app = new Hono();
  const issue = async (target: TerminalTarget, principal: Principal) => ({
    Success: true,
    Token: await deps.tokens.mint(principal.kind === 'user' ? { ...target, user: principal.username } : target),
  });

  app.get('/termtype/:termtype', async (c) => {
    const termtype = checkTermtype(c.req.param('termtype'), 'cluster');
    const cluster = c.req.param('cluster')!;
    const principal = principalOf(c);
    registry.connection(cluster);
    if (principal.kind === 'user') throw new StatusError('Forbidden', SHELL_REFUSED_TO_USERS);
    const unavailable = deps.clusterShell === undefined ? NOT_ENABLED : deps.clusterShell.unavailable();
    if (unavailable !== undefined) throw new StatusError('NotImplemented', unavailable);
    return c.json(await issue({ cluster, termtype }, principal));
  });

  const podRoute = async (c: Context, route: 'pod' | 'container') => {
    const params = c.req.param() as {
      cluster?: string;
      ns?: string;
      pod?: string;
      container?: string;
      termtype: string;
    };
    const principal = principalOf(c);
    const termtype = checkTermtype(params.termtype, route);
    const target: TerminalTarget = {
      cluster: params.cluster ?? '',
      termtype,
      namespace: labelParam(params.ns ?? '', 'namespace'),
      pod: subdomainParam(params.pod ?? '', 'pod name'),
      container: params.container === undefined ? undefined : labelParam(params.container, 'container name'),
    };
    const conn = connectionAs(registry, target.cluster, principal);
    await requireAccess(access, conn, principal, {
      verb: 'create',
      group: '',
      resource: 'pods',
      subresource: 'exec',
      namespace: target.namespace,
      name: target.pod,
    });
    await checkPodTarget(conn, target);
    return issue(target, principal);
  };
  app.get('/namespaces/:ns/pods/:pod/termtype/:termtype', async (c) => c.json(await podRoute(c, 'pod')));
  app.get('/namespaces/:ns/pods/:pod/containers/:container/termtype/:termtype', async (c) =>
    c.json(await podRoute(c, 'container')),
  );
  return app;
}
