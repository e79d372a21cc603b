import type { Hono } from 'hono';
import { createApp, createMetricsApp, type SecurityOptions } from '../../handlers/app';
import { createAdmission, settle } from '../admission';
import { systemClock, type Clock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import type { BodyDecoder } from '../decode/decoder';
import type { Logger } from '../log';
import type { MetricsSource } from '../metrics/types';
import type { Registry } from 'prom-client';
import type { AccessLog } from '../telemetry/access-log';
import type { TelemetryExposition } from '../telemetry/registry';
import { memoryJtiLedger } from '../terminal/jti-ledger';
import { systemTimers, type Timers } from '../terminal/timers';
import { terminalTokens } from '../terminal/token';
import type { ClusterShell, JtiLedger } from '../terminal/types';
import { forwardOptions, type ForwardOptions } from '../proxy/forward';
import { createViewStore, type ViewStore, type ViewStoreOptions } from '../views/store';
import { fileContextStore } from './own-kubeconfig-file';
import { createRawFastPath } from './raw-fast-path';
import { startServer, type RunningServer, type ServerTls } from './server';
import type { LimitsConfig } from './limits-config';
import { rawRequestLimits } from './request-gates';
import { serverTelemetry } from './server-telemetry';
import { terminalUpgrade } from './terminal-upgrade';
import { rawUpgradeRoute } from './upgrade-proxy';
import { createWorkerDecoder, DECODE_LIMITS } from './worker-decoder';

/** The web terminal: its token routes and `GET /api/terminal/ws`. */
export interface TerminalOptions {
  /** Signs the tokens (HS256); replicas that share it accept each other's tokens. */
  secret: Uint8Array;
  /** The single-use token ids. Default: this process's own (lib/terminal/jti-ledger.ts). */
  ledger?: JtiLedger;
  /** `--terminal-idle`: no input or ping for this long ends a session. */
  idleMs: number;
  /** `--terminal-max`: open sessions beyond this are refused (429). */
  max: number;
  /** The kubectl shell on this machine; undefined: the cluster termtype answers 501. */
  clusterShell: ClusterShell | undefined;
  /** Default: systemTimers. */
  timers?: Timers;
}

/** What varies between the entry, the test stacks and the bench servers; the rest is wired the same for all. */
export interface KoreServerOptions {
  /** The caller's: closing the server leaves it open. */
  registry: ClusterRegistry;
  security: SecurityOptions;
  log: Logger;
  /** Default: an ephemeral port on 127.0.0.1. */
  listen?: { host: string; port: number };
  /** Default: systemClock. */
  clock?: Clock;
  /** The caller's, if given. Default: a store made here from registry, clock, log and `viewOptions`, closed with the server. */
  views?: ViewStore;
  /** For the store made here (ignored when `views` is given); spread over registry, clock and log. */
  viewOptions?: Partial<ViewStoreOptions>;
  /** The caller's, if given. Default: a worker-thread decoder with DECODE_LIMITS, closed with the server. */
  decoder?: BodyDecoder;
  /** Where contexts added through the API are written (lib/node/own-kubeconfig-file.ts); absent: adding and deleting are refused. */
  addedContexts?: { path: string; allowExec: boolean };
  /** Timeouts of the `/raw` fast path and upgrade route. Default: DEFAULT_FORWARD_OPTIONS. */
  forward?: ForwardOptions;
  /** HTTPS with a reloaded certificate (`--tls-cert`, `--tls-key`). Default: plain HTTP. */
  tls?: ServerTls;
  /**
   * The serving limits (lib/node/limits-config.ts); `forward`, when given, wins over their upstream timeout and
   * body limit. Default: Node's connection settings, no connection, watch or in-flight limits, DEFAULT_FORWARD_OPTIONS.
   */
  limits?: LimitsConfig;
  /** false leaves the `/raw` fast path out (every `/raw` request goes through the Hono route). Default true. */
  rawFastPath?: boolean;
  /** A web UI served at `/` after every API route (`uiFiles(dir)` of ./ui-files.ts for `--ui-dir`). Default: none. */
  ui?: Hono;
  /** cpu/memory time series for the metrics routes (lib/node/embedded-metrics.ts); the caller's. Default: none. */
  metrics?: MetricsSource;
  /** `--metrics-listen`: a second listener serving the metrics routes alone, behind the same admission. */
  metricsListen?: { host: string; port: number };
  /** kore-board's own metrics (lib/telemetry/registry.ts), served at `GET /metrics` and filled here; absent: no such route. */
  telemetry?: Registry;
  /** What `GET /metrics` answers; default `telemetry` itself (a `--workers` worker answers the pool's sum instead). */
  telemetryExposition?: TelemetryExposition;
  /** One line per request (lib/telemetry/access-log.ts); absent: none. */
  accessLog?: AccessLog;
  /** The web terminal; absent: no terminal routes. */
  terminal?: TerminalOptions;
}

/** One kore-board listening: the Hono app behind the Node server, its raw fast path and upgrade route, one admission. */
export interface KoreServer {
  server: RunningServer;
  /** The `--metrics-listen` listener, when there is one. */
  metricsServer?: RunningServer;
  /** The views the app serves (the caller's or the one made here). */
  views: ViewStore;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then closes what was made here (not the caller's). */
  close(graceMs?: number): Promise<void>;
}

function limitedForward(limits: LimitsConfig | undefined): ForwardOptions | undefined {
  return limits === undefined
    ? undefined
    : { ...forwardOptions(limits.upstreamTimeoutMs), maxBodyBytes: limits.maxBodyBytes };
}

/** Assembles and starts the server. Rejects when the address cannot be listened on, having closed what it made. */
export async function startKoreServer(options: KoreServerOptions): Promise<KoreServer> {
  const { registry, log, clock = systemClock } = options;
  // Once for every entrance: a session the app mints must open the fast path and the upgrades too.
  const security = settle(options.security);
  const made: Array<() => void | Promise<void>> = [];
  let views = options.views;
  if (views === undefined) {
    const store = createViewStore({ registry, clock, log, ...options.viewOptions });
    made.push(() => store.close());
    views = store;
  }
  let decoder = options.decoder;
  if (decoder === undefined) {
    const worker = createWorkerDecoder(DECODE_LIMITS);
    made.push(() => worker.close());
    decoder = worker;
  }
  const added = options.addedContexts;
  const contextStore =
    added === undefined ? undefined : fileContextStore(added.path, registry, { allowExec: added.allowExec, decoder });
  const { ui, metrics, telemetry } = options;
  const observed = serverTelemetry({
    metrics: telemetry,
    accessLog: options.accessLog,
    registry,
    views,
    forward: options.forward ?? limitedForward(options.limits),
  });
  const { forward } = observed;
  const upgrades = [rawUpgradeRoute(registry, forward)];
  let terminal;
  if (options.terminal !== undefined) {
    const { secret, ledger = memoryJtiLedger(clock), clusterShell, timers = systemTimers } = options.terminal;
    const tokens = terminalTokens({ secret, clock, ledger });
    terminal = { tokens, clusterShell };
    const ws = terminalUpgrade({ ...options.terminal, registry, tokens, clock, timers, log, forward });
    observed.terminal(ws.sessionsByKind);
    made.push(() => ws.close());
    upgrades.push(ws.route);
  }
  const app = createApp({
    registry,
    clock,
    log,
    security,
    views,
    contextStore,
    decoder,
    ui,
    metrics,
    telemetry: options.telemetryExposition ?? telemetry,
    terminal,
    forward,
    routeSeen: observed.routeSeen,
    clusterApi: observed.clusterApi,
  });
  const release = async () => {
    for (const close of made) await close();
  };
  let server: RunningServer;
  try {
    server = await startServer({
      fetch: app.fetch,
      host: options.listen?.host ?? '127.0.0.1',
      port: options.listen?.port ?? 0,
      admit: createAdmission(security, { uiFiles: ui !== undefined }),
      fastPaths: [
        ...(options.limits === undefined ? [] : [rawRequestLimits(options.limits)]),
        ...(options.rawFastPath === false ? [] : [createRawFastPath(registry, forward)]),
      ],
      tls: options.tls,
      limits: options.limits,
      upgrades,
      log,
      observer: observed.observer,
    });
  } catch (err) {
    await release();
    throw err;
  }
  let metricsServer: RunningServer | undefined;
  if (metrics !== undefined && options.metricsListen !== undefined) {
    try {
      metricsServer = await startServer({
        fetch: createMetricsApp({ registry, security, log, metrics }).fetch,
        host: options.metricsListen.host,
        port: options.metricsListen.port,
        admit: createAdmission(security),
        log,
      });
    } catch (err) {
      await server.close(0);
      await release();
      throw err;
    }
  }
  return {
    server,
    metricsServer,
    views,
    close: async (graceMs) => {
      await Promise.all([server.close(graceMs), metricsServer?.close(graceMs)]);
      await release();
    },
  };
}
