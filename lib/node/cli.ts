import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { LOG_LEVELS, type LogLevel } from '../log';

/** Validated start-up configuration, from flags first and their environment twins second. */
export interface CliConfig {
  kubeconfigPaths: string[];
  listen: { host: string; port: number };
  demo: boolean;
  logLevel: LogLevel;
  allowOrigins: string[];
  allowHosts: string[];
  authToken: string | undefined;
  dataDir: string;
  /** Processes serving the one listen address; 1 serves from this process alone. */
  workers: number;
}

export type CliResult = { kind: 'run'; config: CliConfig } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

export const HELP = `kore-board — multi-cluster Kubernetes dashboard backend

Usage: kore-board [flags]

Flags (environment twin in brackets):
  --kubeconfig PATH     kubeconfig file; repeat for several          [KUBECONFIG, a path list]
                        default ~/.kube/config; with none at all the demo cluster starts
  --listen HOST:PORT    address to listen on (default 127.0.0.1:3001) [KORE_LISTEN]
  --demo                serve the built-in simulated cluster          [KORE_DEMO=1]
  --log-level LEVEL     debug | info | warn | error | silent (info)   [KORE_LOG_LEVEL]
  --allow-origin URL    CORS origin allowed, exact; repeatable        [KORE_ALLOW_ORIGIN, comma list]
  --allow-host NAME     extra Host name accepted; repeatable          [KORE_ALLOW_HOST, comma list]
  --auth-token TOKEN    bearer token required from callers; mandatory
                        when listening beyond loopback                [KORE_AUTH_TOKEN]
  --data-dir PATH       kore-board's own state (default ~/.kore-board) [KORE_DATA_DIR]
  --workers N|auto      processes serving the address (default 1);
                        auto = one per CPU. Each keeps its own
                        connections and caches                        [KORE_WORKERS]
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
  v.check((s) => /^https?:\/\/[^/\s]+$/.test(s), 'must be an origin like https://dash.example.com (scheme://host[:port], no path)'),
);

const LogLevelSchema = v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`);

const MAX_WORKERS = 64;

const WorkersSchema = v.pipe(
  v.string(),
  v.regex(/^(auto|\d{1,3})$/, 'must be a number of processes or "auto"'),
  v.transform((s) => (s === 'auto' ? -1 : Number(s))),
  v.check((n) => n === -1 || (n >= 1 && n <= MAX_WORKERS), `must be 1..${MAX_WORKERS} or "auto"`),
);

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);
const FALSY = new Set(['', '0', 'false', 'no', 'off']);

function list(value: string | undefined, separator: string): string[] {
  return value === undefined ? [] : value.split(separator).map((s) => s.trim()).filter((s) => s !== '');
}

function issueText(field: string, issues: v.BaseIssue<unknown>[]): string {
  return `${field}: ${issues[0]?.message ?? 'invalid'}`;
}

/**
 * Parses argv and env into a config. Pure: the caller decides what an error means (exit code 2).
 * `homeDir`, `pathDelimiter` and `cpuCount` (for `--workers auto`) are parameters so tests can pin them.
 */
export function parseCli(argv: string[], env: Record<string, string | undefined>, homeDir: string, pathDelimiter = ':', cpuCount = 1): CliResult {
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
        'allow-origin': { type: 'string', multiple: true },
        'allow-host': { type: 'string', multiple: true },
        'auth-token': { type: 'string' },
        'data-dir': { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { kind: 'error', message: (err as Error).message.split('\n')[0] ?? 'bad arguments' };
  }
  const f = parsed.values;
  if (f.help === true) return { kind: 'help', text: HELP };

  const listen = v.safeParse(ListenSchema, f.listen ?? env.KORE_LISTEN ?? '127.0.0.1:3001');
  if (!listen.success) return { kind: 'error', message: issueText('--listen', listen.issues) };

  const logLevel = v.safeParse(LogLevelSchema, f['log-level'] ?? env.KORE_LOG_LEVEL ?? 'info');
  if (!logLevel.success) return { kind: 'error', message: issueText('--log-level', logLevel.issues) };

  const origins = f['allow-origin'] ?? list(env.KORE_ALLOW_ORIGIN, ',');
  for (const origin of origins) {
    const r = v.safeParse(OriginSchema, origin);
    if (!r.success) return { kind: 'error', message: issueText(`--allow-origin ${origin}`, r.issues) };
  }

  let demo = f.demo === true;
  if (f.demo === undefined && env.KORE_DEMO !== undefined) {
    const value = env.KORE_DEMO.toLowerCase();
    if (!TRUTHY.has(value) && !FALSY.has(value)) return { kind: 'error', message: 'KORE_DEMO: must be 1/true/yes/on or 0/false/no/off' };
    demo = TRUTHY.has(value);
  }

  const authToken = f['auth-token'] ?? (env.KORE_AUTH_TOKEN || undefined);
  if (authToken !== undefined && authToken.length < 16) return { kind: 'error', message: '--auth-token: must be at least 16 characters' };
  if (!LOOPBACK_HOSTS.has(listen.output.host) && authToken === undefined) {
    return { kind: 'error', message: `--listen ${listen.output.host}: listening beyond loopback requires --auth-token` };
  }

  const workers = v.safeParse(WorkersSchema, f.workers ?? env.KORE_WORKERS ?? '1');
  if (!workers.success) return { kind: 'error', message: issueText('--workers', workers.issues) };

  const kubeconfigPaths = f.kubeconfig ?? (env.KUBECONFIG ? list(env.KUBECONFIG, pathDelimiter) : [`${homeDir}/.kube/config`]);
  const allowHosts = f['allow-host'] ?? list(env.KORE_ALLOW_HOST, ',');
  // A non-loopback listen address is a name callers legitimately use.
  if (!LOOPBACK_HOSTS.has(listen.output.host) && !['0.0.0.0', '::'].includes(listen.output.host)) allowHosts.push(listen.output.host);

  return {
    kind: 'run',
    config: {
      kubeconfigPaths,
      listen: listen.output,
      demo,
      logLevel: logLevel.output,
      allowOrigins: origins,
      allowHosts,
      authToken,
      dataDir: f['data-dir'] ?? env.KORE_DATA_DIR ?? `${homeDir}/.kore-board`,
      workers: workers.output === -1 ? Math.min(cpuCount, MAX_WORKERS) : workers.output,
    },
  };
}
