/**
 * The simulated kube-apiserver's HTTPS front: authentication (client certificate from our CA, or a bearer
 * token), discovery, /version, and dispatch of resource requests by verb, with every failure a Status.
 * The 'upgrade' listener serves pods/exec and pods/attach over WebSocket, and pods/portforward over
 * WebSocket or SPDY.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError, failureStatus, toStatusError } from '../../errors';
import type { Logger } from '../../log';
import { listen } from '../../node/listen';
import { answerMalformedRequests } from '../../node/malformed-requests';
import { rejectUpgrade } from '../../node/reject-upgrade';
import {
  AGGREGATED_CONTENT_TYPE,
  buildDiscoveryDocs,
  wantsAggregated,
  type DiscoveryDocs,
} from '../api/discovery-docs';
import type { Authenticator } from './auth';
import { buildOpenApiDocs, type OpenApiDocs } from '../api/openapi';
import type { SimStore } from '../store/store';
import type { SimPki } from '../tls';
import { boolParam, type HandlerContext } from './context';
import { ExecUpgrader, execTarget, type ExecSessionRunner, type OpenExec } from './exec-upgrade';
import { PortForwardUpgrader, portForwardRequest } from './port-forward-upgrade';
import { methodNotAllowed, notFoundStatus, sendError, sendJson, sendStatus } from './io';
import { handleList, handleWatch } from './list-watch';
import { handleLogs } from './logs';
import { handleMetrics } from './metrics';
import { serveNodeStats } from './node-stats';
import { serveCadvisor } from './cadvisor';
import {
  handleCreate,
  handleCreateToken,
  handleDelete,
  handleDeleteCollection,
  handleEviction,
  handleGet,
  handlePatch,
  handleReplace,
} from './objects';
import { handleGetScale } from './scale';
import type { ProxiedAnswers } from './proxied';
import type { Freezes } from './freeze';
import { parseResourcePath, type ResourceRoute } from './route';
import type { RequestLog } from './request-log';
import type { RbacAuthorizer } from '../rbac/authorizer';
import { methodVerb } from '../rbac/attributes';

/** What /version reports: the Kubernetes release kubectl 1.32 expects to talk to. */
export const SIM_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface SimServerOptions {
  host: string;
  port: number;
  pki: SimPki;
  store: SimStore;
  auth: Authenticator;
  /** Decides what users outside `system:masters` may do (lib/sim/rbac). */
  authorizer: RbacAuthorizer;
  /** Where every request is recorded (who, with which kind of credentials). */
  requests: RequestLog;
  runExec: ExecSessionRunner;
  /** What pods answer through the proxy subresource. */
  proxied: ProxiedAnswers;
  /** Paths a test made freeze. */
  freezes: Freezes;
  log: Logger;
}

export interface SimServer {
  url: string;
  openExecs(): OpenExec[];
  close(): Promise<void>;
}

const UNAUTHORIZED = failureStatus(401, 'Unauthorized', 'Unauthorized');

function isWatch(query: URLSearchParams): boolean {
  return boolParam(query, 'watch');
}

/** The verb a request maps to, as RBAC would name it. */
function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): string {
  // HEAD is served by no handler here (kube-apiserver authorizes it as get, which RBAC does in lib/sim/rbac).
  const verb = method === 'HEAD' ? '' : methodVerb(method);
  if (route.name !== undefined) return verb;
  if (verb === 'get') return isWatch(query) ? 'watch' : 'list';
  return verb === 'delete' ? 'deletecollection' : verb;
}

function allowed(route: ResourceRoute, verb: string): boolean {
  if (route.subresource === undefined) return route.res.verbs.has(verb);
  return route.res.subresources.get(route.subresource)?.verbs.has(verb) ?? false;
}

async function handleResource(ctx: HandlerContext): Promise<void> {
  const { route, req, query } = ctx;
  const method = req.method ?? 'GET';
  if (route.subresource !== undefined && !route.res.subresources.has(route.subresource)) {
    sendStatus(ctx.res, notFoundStatus());
    return;
  }
  const verb = verbOf(method, route, query);
  if (route.res.group === 'metrics.k8s.io') return handleMetrics(ctx);
  if (!allowed(route, verb)) throw methodNotAllowed();
  if (route.name !== undefined && route.name === '')
    throw new StatusError('BadRequest', 'resource name may not be empty');

  switch (route.subresource) {
    case undefined:
      if (verb === 'list') return handleList(ctx);
      if (verb === 'watch') return handleWatch(ctx);
      if (verb === 'get') return handleGet(ctx);
      if (verb === 'create') return handleCreate(ctx);
      if (verb === 'update') return handleReplace(ctx);
      if (verb === 'patch') return handlePatch(ctx);
      if (verb === 'delete') return handleDelete(ctx);
      return handleDeleteCollection(ctx);
    case 'status':
      if (verb === 'get') return handleGet(ctx);
      if (verb === 'update') return handleReplace(ctx);
      return handlePatch(ctx);
    case 'scale':
      if (verb === 'get') return handleGetScale(ctx);
      if (verb === 'update') return handleReplace(ctx);
      return handlePatch(ctx);
    case 'log':
      return handleLogs(ctx);
    case 'eviction':
      return handleEviction(ctx);
    case 'token':
      return handleCreateToken(ctx);
    case 'exec':
    case 'attach':
    case 'portforward':
      // Reached only without an Upgrade header: the API server insists on one.
      throw new StatusError('BadRequest', 'Upgrade request required');
    default:
      throw methodNotAllowed();
  }
}

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const { store, auth, authorizer, log } = options;
  let serverAddress = '';
  // Discovery and OpenAPI follow the served resources (CRDs come and go); rebuilt only when they changed.
  let served: { revision: number; docs: DiscoveryDocs; openapi: OpenApiDocs } | undefined;
  const current = () => {
    const { revision } = store.registry;
    if (served?.revision !== revision)
      served = {
        revision,
        docs: buildDiscoveryDocs(serverAddress, store.registry),
        openapi: buildOpenApiDocs(store.registry.allVersions()),
      };
    return served;
  };
  const execUpgrader = new ExecUpgrader(options.runExec, (err) =>
    log.error('sim exec session failed', { error: toStatusError(err).message }),
  );
  const portForwardUpgrader = new PortForwardUpgrader((err) =>
    log.error('sim port-forward session failed', { error: toStatusError(err).message }),
  );

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const user = auth.authenticate(req);
    options.requests.record(req, user?.username, false);
    if (user === undefined) {
      sendStatus(res, UNAUTHORIZED);
      return;
    }
    const url = new URL(req.url ?? '/', 'https://sim');
    const denied = authorizer.refuse(user, req.method ?? 'GET', url, false);
    if (denied !== undefined) throw denied;
    if (options.freezes.hold(url.pathname, res)) return;
    // A pod's path is its own: no trailing slash trimmed, any method.
    if (options.proxied.serve(url.pathname, res)) return;
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    if (serveNodeStats(url.pathname, method, store, res)) return;
    if (serveCadvisor(url.pathname, method, store, res)) return;
    const { docs, openapi } = current();

    if (
      path === '/version' ||
      path === '/healthz' ||
      path === '/livez' ||
      path === '/readyz' ||
      docs.legacy.has(path)
    ) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
      if (path === '/version') return sendJson(res, 200, SIM_VERSION);
      if (path === '/healthz' || path === '/livez' || path === '/readyz')
        return sendJson(res, 200, 'ok', 'text/plain; charset=utf-8');
      const aggregated = docs.aggregated.get(path);
      if (aggregated !== undefined && wantsAggregated(req.headers.accept))
        return sendJson(res, 200, aggregated, AGGREGATED_CONTENT_TYPE);
      return sendJson(res, 200, docs.legacy.get(path) ?? '');
    }
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      const doc = path === '/openapi/v3' ? openapi.root : openapi.byPath.get(path.slice('/openapi/v3/'.length));
      if (doc !== undefined) return sendJson(res, 200, doc);
    }
    const parsed = parseResourcePath(path, store.registry);
    if (parsed.kind === 'unknown') {
      sendStatus(res, notFoundStatus());
      return;
    }
    await handleResource({ req, res, route: parsed.route, query: url.searchParams, store, user, auth, authorizer });
  };

  const server: Server = createServer(
    {
      key: options.pki.server.keyPem,
      cert: options.pki.server.certPem,
      ca: [options.pki.ca.certPem],
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      onRequest(req, res).catch((err: unknown) => {
        const statusError = toStatusError(err);
        if (!(err instanceof StatusError))
          log.error('sim request failed', { method: req.method, url: req.url, error: statusError.message });
        if (res.headersSent) res.destroy();
        else sendError(res, statusError);
      });
    },
  );
  // kube-apiserver keeps idle connections 90 s (Node's default is 5 s); clients tuned for it keep theirs 30 s.
  server.keepAliveTimeout = 90_000;
  answerMalformedRequests(server, log);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (err: StatusError) => rejectUpgrade(socket, err);
    try {
      const user = auth.authenticate(req);
      options.requests.record(req, user?.username, true);
      if (user === undefined) return reject(new StatusError('Unauthorized', 'Unauthorized'));
      const url = new URL(req.url ?? '/', 'https://sim');
      const denied = authorizer.refuse(user, req.method ?? 'GET', url, true);
      if (denied !== undefined) return reject(denied);
      const parsed = parseResourcePath(url.pathname, store.registry);
      const sub = parsed.kind === 'resource' && parsed.route.res.kind === 'Pod' ? parsed.route.subresource : undefined;
      if (parsed.kind !== 'resource' || (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')) {
        return reject(
          new StatusError('BadRequest', 'upgrade is only served for pods/exec, pods/attach and pods/portforward'),
        );
      }
      if (sub === 'portforward')
        portForwardUpgrader.upgrade(req, socket, head, portForwardRequest(store, parsed.route, url.searchParams, req));
      else execUpgrader.upgrade(req, socket, head, execTarget(store, parsed.route, url.searchParams, req));
    } catch (err) {
      reject(toStatusError(err));
    }
  });
  server.on('tlsClientError', () => undefined);

  const { port, urlHost: hostForUrl } = await listen(server, options.host, options.port);
  serverAddress = `${options.host}:${port}`;

  return {
    url: `https://${hostForUrl}:${port}`,
    openExecs: () => execUpgrader.sessions(),
    close: () =>
      new Promise<void>((resolve) => {
        execUpgrader.closeAll();
        portForwardUpgrader.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
