/**
 * The simulated Kubernetes API server: the demo cluster behind `--demo`, and the cluster every test talks to.
 * Real HTTPS with its own CA, client-certificate and bearer-token authentication, discovery as a real
 * kube-apiserver serves it, and enough of the API that the real kubectl works against it.
 */
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../log';
import type { Clock } from '../clock';
import { demoCluster } from './fixtures/demo';
import { generateCluster } from './gen/generator';
import { startSimServer } from './http/server';
import { SimStore } from './store/store';
import { createPki, type SimPki } from './tls';
import { Authenticator, type UserInfo } from './http/auth';
import { RequestLog, type SimRequestRecord } from './http/request-log';
import { RbacAuthorizer } from './rbac/authorizer';
import { runExecSession } from './exec/index';
import { CRONTAB_CRD, crontabCrdObject } from './crd/definition';
import { ProxiedAnswers, type ProxiedAnswer } from './http/proxied';
import { Freezes, type Freeze, type FreezeStage } from './http/freeze';
import type { OpenExec } from './http/exec-upgrade';
import { ResourceRegistry } from './api/resources';

export { SimStore } from './store/store';
export type { KubeObject, ObjectMeta } from './object-meta';
export type { ExecTarget } from './exec/index';
export { SHELLS_ANNOTATION } from './gen/generator';
export type { ProxiedAnswer } from './http/proxied';
export type { OpenExec } from './http/exec-upgrade';
export type { UserInfo } from './http/auth';
export type { SimRequestRecord } from './http/request-log';
export type { Freeze, FreezeStage } from './http/freeze';

export interface SimOptions {
  /** 'demo' (default): small realistic cluster incl. pod default/busybox, node vm-live-01. */
  fixture?: 'demo' | 'empty';
  /** When given, the generator builds a cluster of that size instead of the fixture. */
  nodes?: number;
  podsPerNode?: number;
  namespaces?: number;
  /** Default 127.0.0.1:0 (an ephemeral port). */
  host?: string;
  port?: number;
  /** How many past events a watch can replay before 410 Gone (default 10,000). */
  watchWindow?: number;
  /** Where the sim reports unexpected failures (default: silent). */
  log?: Logger;
  clock?: Clock;
  /** false: a cluster without metrics-server (no metrics.k8s.io in discovery, its paths 404). Default true. */
  metricsServer?: boolean;
}

export interface SimCluster {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The CA that signed the server certificate (SAN 127.0.0.1, ::1, localhost). */
  caPem: string;
  /** A client certificate the server accepts (CN=kubernetes-admin, O=system:masters). */
  client: { certPem: string; keyPem: string };
  /** A bearer token the server accepts. */
  token: string;
  /** Another client certificate from the cluster's CA, e.g. an expired one (`validity`) for fault tests. */
  issueClient: SimPki['issueClient'];
  /**
   * Accepts another bearer token (exec-plugin / rotation tests), as the admin by default or as `user`, whom RBAC
   * then limits to what the stored Roles and bindings grant (lib/sim/rbac) unless they are in `system:masters`.
   */
  addToken(token: string, user?: UserInfo): void;
  revokeToken(token: string): void;
  /**
   * What a pod answers through the proxy subresource at `path` (the whole API path, e.g.
   * `/api/v1/namespaces/default/services/web:80/proxy/`); other proxy paths are 404.
   */
  answerProxy(path: string, answer: ProxiedAnswer): void;
  /**
   * Makes requests whose path starts with `pathPrefix` freeze (lib/sim/http/freeze.ts), before the response
   * headers (the default) or inside the body.
   */
  freeze(pathPrefix: string, stage?: FreezeStage): Freeze;
  /** What reached the cluster, oldest first (lib/sim/http/request-log.ts): who, with which kind of credentials. */
  requests(): SimRequestRecord[];
  /** The exec and attach sessions open now (read-only: what a test observes from the cluster's side). */
  openExecs(): OpenExec[];
  /** Direct access for tests: get/create/update/delete objects; writes emit watch events. */
  store: SimStore;
  close(): Promise<void>;
}

export async function startSim(options: SimOptions = {}): Promise<SimCluster> {
  const pki = createPki();
  const store = new SimStore({
    caPem: pki.ca.certPem,
    ...(options.watchWindow !== undefined ? { watchWindow: options.watchWindow } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.metricsServer === false ? { registry: new ResourceRegistry({ metricsServer: false }) } : {}),
  });
  if (options.nodes !== undefined) {
    store.load(
      generateCluster({
        nodes: options.nodes,
        podsPerNode: options.podsPerNode ?? 30,
        namespaces: options.namespaces ?? 10,
        now: store.clock.now(),
      }),
    );
    if (store.getRecord('customresourcedefinitions', undefined, CRONTAB_CRD.metadata.name) === undefined)
      store.load([crontabCrdObject()]);
  } else if ((options.fixture ?? 'demo') === 'demo') {
    store.load(demoCluster(store.clock.now(), pki.ca.certPem));
  } else {
    const namespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
    store.load(
      namespaces.map((name) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      })),
    );
    store.load([crontabCrdObject()]);
  }

  const token = randomBytes(24).toString('base64url');
  const auth = new Authenticator();
  auth.addToken(token);
  const proxied = new ProxiedAnswers();
  const requests = new RequestLog();
  const freezes = new Freezes();
  const server = await startSimServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    pki,
    store,
    auth,
    authorizer: new RbacAuthorizer(store),
    requests,
    runExec: runExecSession,
    proxied,
    freezes,
    log: options.log ?? silentLogger,
  });

  return {
    url: server.url,
    caPem: pki.ca.certPem,
    client: pki.client,
    issueClient: pki.issueClient,
    token,
    addToken: (t, user) => auth.addToken(t, user),
    revokeToken: (t) => auth.revokeToken(t),
    answerProxy: (path, answer) => proxied.set(path, answer),
    freeze: (pathPrefix, stage = 'headers') => freezes.freeze(pathPrefix, stage),
    requests: () => requests.list(),
    openExecs: () => server.openExecs(),
    store,
    close: () => server.close(),
  };
}
