import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { AUTH_MODES, type AuthMode } from '../auth/authentication';
import { errorMessage } from '../errors';
import { parseDuration } from '../duration';
import { LOG_LEVELS, type LogLevel } from '../log';
import { LABEL_NAME } from '../metrics/promql';
import { builtAppRoot, UiDirError } from './ui-files';
import { LIMIT_OPTIONS, limitsConfig, limitsHelp, type LimitsConfig } from './limits-config';

/** Validated start-up configuration, from flags first and their environment twins second. */
export interface CliConfig {
  kubeconfigPaths: string[];
  listen: { host: string; port: number };
  demo: boolean;
  logLevel: LogLevel;
  /** `--access-log`: one JSON line per request on stderr, at level info (so a level above info silences it too). */
  accessLog: boolean;
  allowOrigins: string[];
  allowHosts: string[];
  /**
   * `none` (the default on loopback): anyone who reaches the address is the owner; `token` (the default beyond it):
   * callers present a static token or a session made from one; `user`: each person's own Kubernetes token.
   */
  auth: AuthMode;
  /** The access token given by flag or environment; with neither, one is read from or made in the data dir at start. */
  authToken: string | undefined;
  /** A file of access tokens, one a line (`#` comments), re-read when it changes. */
  authTokenFile: string | undefined;
  /** `--session-secret`: signs and encrypts session tokens; undefined: kept in `<data-dir>/session-secret`. */
  sessionSecret: string | undefined;
  /** Lets contexts added through the API run exec credential plugins (off: they may carry only inline material). */
  allowAddedContextExec: boolean;
  dataDir: string;
  /** Processes serving the one listen address; 1 serves from this process alone. */
  workers: number;
  /** A built web UI (a folder with index.html) served at `/`; undefined: `/` is the JSON index. */
  uiDir: string | undefined;
  metrics: MetricsConfig;
  terminal: TerminalConfig;
  /** `--tls-cert`/`--tls-key`: serve HTTPS (HTTP/1.1 and h2) with this pair, re-read on change; undefined: plain HTTP. */
  tls: TlsFiles | undefined;
  limits: LimitsConfig;
}

/** The certificate chain and private key files (PEM) kore-board serves HTTPS with. */
export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

/** The web terminal's flags. */
export interface TerminalConfig {
  /** `--terminal-secret`: signs the terminal tokens, so replicas accept each other's; undefined: random per process. */
  secret: string | undefined;
  idleMs: number;
  /** Open sessions at most. */
  max: number;
  /** `--terminal-shell`: offer the kubectl cluster shell while listening beyond loopback too (always on loopback). */
  shell: boolean;
}

/** Where the metrics routes read from: the embedded store (scraping metrics.k8s.io), or a Prometheus. */
export type MetricsSourceConfig =
  | { kind: 'embedded' }
  | {
      kind: 'prometheus';
      /** Prometheus's root URL (http or https, without credentials). */
      url: string;
      /** The label whose value names a series' context (`--prometheus-cluster-label`). */
      clusterLabel: string;
    };

/** The metrics routes: their source, their resolution and window, which contexts. */
export interface MetricsConfig {
  source: MetricsSourceConfig;
  /** The embedded store's scrape interval; the Prometheus source's step. */
  resolutionMs: number;
  windowMs: number;
  /** undefined: every loaded context. */
  contexts: string[] | undefined;
  /** `--metrics-listen`: a second listener for the metrics routes alone (the spec's `localhost:8000`). */
  listen: { host: string; port: number } | undefined;
}

/** `warnings` are said once at start; they do not stop it. */
export type CliResult =
  | { kind: 'run'; config: CliConfig; warnings: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

export const HELP = `kore-board — multi-cluster Kubernetes dashboard backend

Usage: kore-board [flags]
       kore-board healthcheck [URL]   exit 0 when URL (default http://127.0.0.1:3001/healthz)
                                      answers 200: for images without a shell or curl

Flags (environment twin in brackets):
  --kubeconfig PATH     kubeconfig file; repeat for several          [KUBECONFIG, a path list]
                        default ~/.kube/config; with none at all the demo cluster starts
  --listen HOST:PORT    address to listen on (default 127.0.0.1:3001) [KORE_LISTEN]
  --demo                serve the built-in simulated cluster          [KORE_DEMO=1]
  --log-level LEVEL     debug | info | warn | error | silent (info)   [KORE_LOG_LEVEL]
  --access-log on|off   a JSON line per request on stderr (on)         [KORE_ACCESS_LOG]
  --allow-origin URL    CORS origin allowed, exact; repeatable        [KORE_ALLOW_ORIGIN, comma list]
  --allow-host NAME     extra Host name accepted; repeatable          [KORE_ALLOW_HOST, comma list]
  --auth MODE           none: anyone who can reach the address is the
                        owner — loopback only (the default there), and on
                        a shared host every local user is; token (the
                        default beyond loopback, or when a token is given):
                        callers present an access token (Authorization:
                        Bearer, or sign in for a session); user: each
                        person signs in with their own Kubernetes token,
                        checked with the current context's cluster  [KORE_AUTH]
  --auth-token-file PATH  access tokens, one a line (# comments), re-read
                        when the file changes              [KORE_AUTH_TOKEN_FILE]
  --auth-token TOKEN    the access token itself; prefer the environment
                        or a file: a flag is visible to every local user
                        in the process list                           [KORE_AUTH_TOKEN]
                        with none of these, the token is kept in
                        <data-dir>/token (made at first start, mode 0600)
  --session-secret S    signs (token) or encrypts (user) session tokens;
                        give workers' replicas the same one (at least 32
                        characters). Default: kept in
                        <data-dir>/session-secret            [KORE_SESSION_SECRET]
  --allow-added-context-exec
                        let contexts added through POST /api/contexts run
                        exec credential plugins. RISK: whoever may add a
                        context then runs any command on this host, with
                        access to every other context's credentials
                        (plugins inherit kore-board's environment).
                        Off by default: added contexts may carry only
                        inline credentials    [KORE_ALLOW_ADDED_CONTEXT_EXEC=1]
  --data-dir PATH       kore-board's own state (default ~/.kore-board) [KORE_DATA_DIR]
  --workers N|auto      processes serving the address (default 1);
                        auto = one per CPU. Each keeps its own
                        connections and caches                        [KORE_WORKERS]
  --ui-dir DIR          serve the built web UI in DIR (its index.html
                        and assets) at /; the API keeps its paths   [KORE_UI_DIR]
  --metrics-resolution D  how often metrics.k8s.io is scraped, e.g. 5s,
                        1m (default 1m); with Prometheus, the step
                        between points                     [KORE_METRICS_RESOLUTION]
  --metrics-duration D  how long cpu/memory points are kept (default 15m);
                        with Prometheus, the window asked for
                                                             [KORE_METRICS_DURATION]
  --metrics-contexts A,B  scrape (with Prometheus: answer for) only these
                        contexts (default all)       [KORE_METRICS_CONTEXTS]
  --metrics-listen HOST:PORT  also serve the metrics routes alone there,
                        with the same guards (off by default) [KORE_METRICS_LISTEN]
  --metrics-source SRC  embedded (default: scrape metrics.k8s.io into
                        memory) or prometheus=URL (ask that Prometheus:
                        cAdvisor series, nothing scraped here)
                                                             [KORE_METRICS_SOURCE]
  --prometheus-cluster-label NAME  the label naming each series' context
                        (default cluster)          [KORE_PROMETHEUS_CLUSTER_LABEL]
  --terminal-secret S   signs the web terminal's one-minute tokens; give
                        replicas the same one (at least 32 characters).
                        Default: random per start           [KORE_TERMINAL_SECRET]
  --terminal-idle D     a terminal with no input or ping for D is closed
                        (default 3m)                          [KORE_TERMINAL_IDLE]
  --terminal-max N      open terminals at most; more are refused (429)
                        (default 50)                           [KORE_TERMINAL_MAX]
  --terminal-shell      offer the web terminal's kubectl shell (a shell
                        on this host, as kore-board's user) while
                        listening beyond loopback; on loopback it is
                        always offered (needs node-pty and kubectl)
                                                  [KORE_TERMINAL_SHELL=1]
  --tls-cert PATH       serve HTTPS (HTTP/1.1 and h2) with this PEM
                        certificate chain; needs --tls-key; both are
                        re-read when they change           [KORE_TLS_CERT]
  --tls-key PATH        the PEM private key of --tls-cert   [KORE_TLS_KEY]
Limits (each answered with a Kubernetes Status):
${limitsHelp()}
  --help                print this help
`;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const ListenSchema = v.pipe(
  v.string(),
  v.regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/, 'must be HOST:PORT, e.g. 127.0.0.1:3001 or [::1]:3001'),
  v.transform((s) => {
    const colon = s.lastIndexOf(':');
    const host = s.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    return { host, port: Number(s.slice(colon + 1)) };
  }),
  v.check((l) => l.port <= 65535, 'port must be 0..65535'),
);

const OriginSchema = v.pipe(
  v.string(),
  v.check((s) => s !== '*', 'a wildcard origin is not allowed (responses carry credentials); name each origin'),
  v.check(
    (s) => /^https?:\/\/[^/\s]+$/.test(s),
    'must be an origin like https://dash.example.com (scheme://host[:port], no path)',
  ),
);

const LogLevelSchema = v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`);
const AccessLogSchema = v.picklist(['on', 'off'], 'must be on or off');

const MAX_WORKERS = 64;

const WorkersSchema = v.pipe(
  v.string(),
  v.regex(/^(auto|\d{1,3})$/, 'must be a number of processes or "auto"'),
  v.transform((s) => (s === 'auto' ? -1 : Number(s))),
  v.check((n) => n === -1 || (n >= 1 && n <= MAX_WORKERS), `must be 1..${MAX_WORKERS} or "auto"`),
);

const AuthModeSchema = v.picklist(AUTH_MODES, `must be one of ${AUTH_MODES.join(', ')}`);

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);
const FALSY = new Set(['', '0', 'false', 'no', 'off']);

/** A boolean flag, else its environment twin; a string is the error. */
function booleanFlag(flag: boolean | undefined, envValue: string | undefined, envName: string): boolean | string {
  if (flag !== undefined) return flag;
  if (envValue === undefined) return false;
  const value = envValue.toLowerCase();
  if (TRUTHY.has(value)) return true;
  if (FALSY.has(value)) return false;
  return `${envName}: must be 1/true/yes/on or 0/false/no/off`;
}

function list(value: string | undefined, separator: string): string[] {
  return value === undefined
    ? []
    : value
        .split(separator)
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

/** The resolution is at least a second (a scrape lists every pod of every context); the window holds 2..10,000 ticks. */
function metricsConfig(
  f: {
    'metrics-resolution'?: string;
    'metrics-duration'?: string;
    'metrics-contexts'?: string;
    'metrics-listen'?: string;
    'metrics-source'?: string;
    'prometheus-cluster-label'?: string;
  },
  env: Record<string, string | undefined>,
): MetricsConfig | string {
  const source = metricsSource(f, env);
  if (typeof source === 'string') return source;
  const resolutionText = f['metrics-resolution'] ?? (env.KORE_METRICS_RESOLUTION || '1m');
  const resolutionMs = parseDuration(resolutionText);
  if (resolutionMs === undefined || resolutionMs < 1_000)
    return `--metrics-resolution ${resolutionText}: must be a duration of at least 1s, e.g. 5s or 1m`;
  const windowText = f['metrics-duration'] ?? (env.KORE_METRICS_DURATION || '15m');
  const windowMs = parseDuration(windowText);
  if (windowMs === undefined) return `--metrics-duration ${windowText}: must be a duration, e.g. 15m or 1h`;
  const ticks = windowMs / resolutionMs;
  if (ticks < 2 || ticks > 10_000)
    return `--metrics-duration ${windowText}: must hold 2 to 10000 scrapes of ${resolutionText} (it holds ${Math.floor(ticks)})`;
  const contexts = f['metrics-contexts'] ?? env.KORE_METRICS_CONTEXTS;
  const listenText = f['metrics-listen'] ?? (env.KORE_METRICS_LISTEN || undefined);
  const listen = listenText === undefined ? undefined : v.safeParse(ListenSchema, listenText);
  if (listen !== undefined && !listen.success) return issueText('--metrics-listen', listen.issues);
  return {
    source,
    resolutionMs,
    windowMs,
    contexts: contexts === undefined ? undefined : list(contexts, ','),
    listen: listen?.output,
  };
}

/** `embedded`, or `prometheus=URL` with an http(s) URL that carries no credentials (they would be logged and shown). */
function metricsSource(
  f: { 'metrics-source'?: string; 'prometheus-cluster-label'?: string },
  env: Record<string, string | undefined>,
): MetricsSourceConfig | string {
  const text = f['metrics-source'] ?? (env.KORE_METRICS_SOURCE || 'embedded');
  const clusterLabel = f['prometheus-cluster-label'] ?? (env.KORE_PROMETHEUS_CLUSTER_LABEL || 'cluster');
  if (!LABEL_NAME.test(clusterLabel))
    return `--prometheus-cluster-label ${clusterLabel}: must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`;
  if (text === 'embedded') return { kind: 'embedded' };
  const usage = `--metrics-source ${text}: must be embedded or prometheus=URL, e.g. prometheus=http://127.0.0.1:9090`;
  if (!text.startsWith('prometheus=')) return usage;
  let url: URL;
  try {
    url = new URL(text.slice('prometheus='.length));
  } catch {
    return usage;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return usage;
  if (url.username !== '' || url.password !== '')
    return '--metrics-source: a Prometheus URL with credentials in it is not accepted (they would show in logs and errors)';
  return { kind: 'prometheus', url: url.href, clusterLabel };
}

const MIN_TERMINAL_SECRET = 32;

function terminalConfig(
  f: { 'terminal-secret'?: string; 'terminal-idle'?: string; 'terminal-max'?: string; 'terminal-shell'?: boolean },
  env: Record<string, string | undefined>,
): TerminalConfig | string {
  const secret = f['terminal-secret'] ?? (env.KORE_TERMINAL_SECRET || undefined);
  if (secret !== undefined && secret.length < MIN_TERMINAL_SECRET)
    return `--terminal-secret: must be at least ${MIN_TERMINAL_SECRET} characters`;
  const idleText = f['terminal-idle'] ?? (env.KORE_TERMINAL_IDLE || '3m');
  const idleMs = parseDuration(idleText);
  if (idleMs === undefined || idleMs < 1_000)
    return `--terminal-idle ${idleText}: must be a duration of at least 1s, e.g. 3m`;
  const maxText = f['terminal-max'] ?? (env.KORE_TERMINAL_MAX || '50');
  const max = /^\d{1,6}$/.test(maxText) ? Number(maxText) : 0;
  if (max < 1) return `--terminal-max ${maxText}: must be a number of sessions, at least 1`;
  const shell = booleanFlag(f['terminal-shell'], env.KORE_TERMINAL_SHELL, 'KORE_TERMINAL_SHELL');
  if (typeof shell === 'string') return shell;
  return { secret, idleMs, max, shell };
}

function issueText(field: string, issues: v.BaseIssue<unknown>[]): string {
  return `${field}: ${issues[0]?.message ?? 'invalid'}`;
}

/**
 * Parses argv and env into a config. Pure but for one look at the `--ui-dir` folder (it must hold index.html): the
 * caller decides what an error means (exit code 2).
 * `homeDir`, `pathDelimiter` and `cpuCount` (for `--workers auto`) are parameters so tests can pin them.
 */
export function parseCli(
  argv: string[],
  env: Record<string, string | undefined>,
  homeDir: string,
  pathDelimiter = ':',
  cpuCount = 1,
): CliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        kubeconfig: { type: 'string', multiple: true },
        listen: { type: 'string' },
        demo: { type: 'boolean' },
        'log-level': { type: 'string' },
        'access-log': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'allow-host': { type: 'string', multiple: true },
        auth: { type: 'string' },
        'auth-token': { type: 'string' },
        'auth-token-file': { type: 'string' },
        'session-secret': { type: 'string' },
        'allow-added-context-exec': { type: 'boolean' },
        'data-dir': { type: 'string' },
        workers: { type: 'string' },
        'ui-dir': { type: 'string' },
        'metrics-resolution': { type: 'string' },
        'metrics-duration': { type: 'string' },
        'metrics-contexts': { type: 'string' },
        'metrics-listen': { type: 'string' },
        'terminal-secret': { type: 'string' },
        'terminal-idle': { type: 'string' },
        'terminal-max': { type: 'string' },
        'terminal-shell': { type: 'boolean' },
        'metrics-source': { type: 'string' },
        'prometheus-cluster-label': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        ...LIMIT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { kind: 'error', message: errorMessage(err).split('\n')[0] ?? 'bad arguments' };
  }
  const f = parsed.values;
  if (f.help === true) return { kind: 'help', text: HELP };

  const listen = v.safeParse(ListenSchema, f.listen ?? env.KORE_LISTEN ?? '127.0.0.1:3001');
  if (!listen.success) return { kind: 'error', message: issueText('--listen', listen.issues) };

  const logLevel = v.safeParse(LogLevelSchema, f['log-level'] ?? env.KORE_LOG_LEVEL ?? 'info');
  if (!logLevel.success) return { kind: 'error', message: issueText('--log-level', logLevel.issues) };
  const accessLog = v.safeParse(AccessLogSchema, f['access-log'] ?? env.KORE_ACCESS_LOG ?? 'on');
  if (!accessLog.success) return { kind: 'error', message: issueText('--access-log', accessLog.issues) };

  const origins = f['allow-origin'] ?? list(env.KORE_ALLOW_ORIGIN, ',');
  for (const origin of origins) {
    const r = v.safeParse(OriginSchema, origin);
    if (!r.success) return { kind: 'error', message: issueText(`--allow-origin ${origin}`, r.issues) };
  }

  const demo = booleanFlag(f.demo, env.KORE_DEMO, 'KORE_DEMO');
  if (typeof demo === 'string') return { kind: 'error', message: demo };
  const allowAddedContextExec = booleanFlag(
    f['allow-added-context-exec'],
    env.KORE_ALLOW_ADDED_CONTEXT_EXEC,
    'KORE_ALLOW_ADDED_CONTEXT_EXEC',
  );
  if (typeof allowAddedContextExec === 'string') return { kind: 'error', message: allowAddedContextExec };

  const warnings: string[] = [];
  const authToken = f['auth-token'] ?? (env.KORE_AUTH_TOKEN || undefined);
  const authTokenFile = f['auth-token-file'] ?? (env.KORE_AUTH_TOKEN_FILE || undefined);
  const metricsListen = metricsConfig(f, env);
  const loopbackOnly =
    LOOPBACK_HOSTS.has(listen.output.host) &&
    (typeof metricsListen === 'string' ||
      metricsListen.listen === undefined ||
      LOOPBACK_HOSTS.has(metricsListen.listen.host));
  // No sign-in by default only where only this machine's users can reach, and no token was given to ask for one.
  const defaultAuth = loopbackOnly && authToken === undefined && authTokenFile === undefined ? 'none' : 'token';
  const auth = v.safeParse(AuthModeSchema, f.auth ?? (env.KORE_AUTH || defaultAuth));
  if (!auth.success) return { kind: 'error', message: issueText('--auth', auth.issues) };
  if (auth.output === 'user' && (authToken !== undefined || authTokenFile !== undefined))
    return {
      kind: 'error',
      message:
        '--auth user: each person signs in with their own Kubernetes token; no access token is used, but one was given',
    };
  const sessionSecret = f['session-secret'] ?? (env.KORE_SESSION_SECRET || undefined);
  if (sessionSecret !== undefined && sessionSecret.length < 32)
    return { kind: 'error', message: '--session-secret: must be at least 32 characters' };
  if (f['session-secret'] !== undefined)
    warnings.push(
      '--session-secret on the command line is visible to every local user (ps, /proc/<pid>/cmdline); use KORE_SESSION_SECRET',
    );
  if (authToken !== undefined && authToken.length < 16)
    return { kind: 'error', message: '--auth-token: must be at least 16 characters' };
  if (authToken !== undefined && authTokenFile !== undefined)
    return { kind: 'error', message: '--auth-token and --auth-token-file: give one, not both' };
  if (auth.output === 'none' && (authToken !== undefined || authTokenFile !== undefined)) {
    return { kind: 'error', message: '--auth none: no access token is used, but one was given' };
  }
  if (auth.output === 'none' && !LOOPBACK_HOSTS.has(listen.output.host)) {
    return {
      kind: 'error',
      message: `--listen ${listen.output.host}: --auth none lets anyone who reaches the address act as the owner, so it is allowed on loopback only; use --auth token or --auth user`,
    };
  }
  if (f['auth-token'] !== undefined) {
    warnings.push(
      '--auth-token on the command line is visible to every local user (ps, /proc/<pid>/cmdline); use KORE_AUTH_TOKEN or --auth-token-file',
    );
  }

  const workers = v.safeParse(WorkersSchema, f.workers ?? env.KORE_WORKERS ?? '1');
  if (!workers.success) return { kind: 'error', message: issueText('--workers', workers.issues) };

  const uiDir = f['ui-dir'] ?? (env.KORE_UI_DIR || undefined);
  if (uiDir !== undefined) {
    try {
      builtAppRoot(uiDir);
    } catch (err) {
      if (err instanceof UiDirError) return { kind: 'error', message: err.message.split('\n')[0] ?? err.message };
      throw err;
    }
  }

  const metrics = metricsConfig(f, env);
  if (typeof metrics === 'string') return { kind: 'error', message: metrics };
  if (auth.output === 'none' && metrics.listen !== undefined && !LOOPBACK_HOSTS.has(metrics.listen.host)) {
    return {
      kind: 'error',
      message: `--metrics-listen ${metrics.listen.host}: --auth none is allowed on loopback only; use --auth token or --auth user`,
    };
  }

  const terminal = terminalConfig(f, env);
  if (typeof terminal === 'string') return { kind: 'error', message: terminal };
  if (f['terminal-secret'] !== undefined) {
    warnings.push(
      '--terminal-secret on the command line is visible to every local user (ps, /proc/<pid>/cmdline); use KORE_TERMINAL_SECRET',
    );
  }

  const certPath = f['tls-cert'] ?? (env.KORE_TLS_CERT || undefined);
  const keyPath = f['tls-key'] ?? (env.KORE_TLS_KEY || undefined);
  if ((certPath === undefined) !== (keyPath === undefined))
    return { kind: 'error', message: '--tls-cert and --tls-key: give both, or neither' };
  const tls = certPath === undefined || keyPath === undefined ? undefined : { certPath, keyPath };

  const limits = limitsConfig(f, env);
  if (typeof limits === 'string') return { kind: 'error', message: limits };

  const kubeconfigPaths =
    f.kubeconfig ?? (env.KUBECONFIG ? list(env.KUBECONFIG, pathDelimiter) : [`${homeDir}/.kube/config`]);
  const allowHosts = f['allow-host'] ?? list(env.KORE_ALLOW_HOST, ',');
  // A non-loopback listen address is a name callers legitimately use.
  if (!LOOPBACK_HOSTS.has(listen.output.host) && !['0.0.0.0', '::'].includes(listen.output.host))
    allowHosts.push(listen.output.host);

  return {
    kind: 'run',
    config: {
      kubeconfigPaths,
      listen: listen.output,
      demo,
      logLevel: logLevel.output,
      accessLog: accessLog.output === 'on',
      allowOrigins: origins,
      allowHosts,
      auth: auth.output,
      authToken,
      authTokenFile,
      sessionSecret,
      allowAddedContextExec,
      dataDir: f['data-dir'] ?? env.KORE_DATA_DIR ?? `${homeDir}/.kore-board`,
      workers: workers.output === -1 ? Math.min(cpuCount, MAX_WORKERS) : workers.output,
      uiDir,
      metrics,
      terminal,
      tls,
      limits,
    },
    warnings,
  };
}
