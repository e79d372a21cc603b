import { parseDuration } from '../duration';

/**
 * The serving limits (issue 14): each a flag with an environment twin and a default, each answered with a
 * Kubernetes Status when passed (see docs/reliability.md, "Limits").
 */
export interface LimitsConfig {
  /** `--upstream-timeout`: a cluster's response headers, and each silence inside a non-watch body, at most this long (504). */
  upstreamTimeoutMs: number;
  /** `--max-body`: bytes of an apply body or a `/raw` write's body (413). */
  maxBodyBytes: number;
  /** `--max-header-size`: the request line and headers together (431). */
  maxHeaderBytes: number;
  /** `--headers-timeout`: the whole request head must arrive within this (408). */
  headersTimeoutMs: number;
  /** `--keep-alive-timeout`: an idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** `--max-connections`: open client connections; beyond, a 503 with `Connection: close`. */
  maxConnections: number;
  /** `--max-watches-per-client`: open `/raw` watches and followed logs per client address (429). */
  maxWatchesPerClient: number;
  /** `--max-upstream-per-context`: non-watch requests in flight to one context (429 with Retry-After). */
  maxUpstreamPerContext: number;
}

type Kind = 'duration' | 'size' | 'count';

interface LimitSpec {
  key: keyof LimitsConfig;
  flag: string;
  env: string;
  kind: Kind;
  default: string;
  /** The smallest accepted value, in the kind's unit (ms, bytes, count). */
  min: number;
  help: string;
}

export const LIMIT_SPECS: readonly LimitSpec[] = [
  {
    key: 'upstreamTimeoutMs',
    flag: 'upstream-timeout',
    env: 'KORE_UPSTREAM_TIMEOUT',
    kind: 'duration',
    default: '30s',
    min: 1,
    help: 'a cluster request (not a watch, log -f, exec) with no\nresponse headers, or a silent body, for D → 504',
  },
  {
    key: 'maxBodyBytes',
    flag: 'max-body',
    env: 'KORE_MAX_BODY',
    kind: 'size',
    default: '10Mi',
    min: 1,
    help: 'largest body of an apply or a /raw write → 413',
  },
  {
    key: 'maxHeaderBytes',
    flag: 'max-header-size',
    env: 'KORE_MAX_HEADER_SIZE',
    kind: 'size',
    default: '16Ki',
    min: 1024,
    help: 'request line and headers together at most → 431',
  },
  {
    key: 'headersTimeoutMs',
    flag: 'headers-timeout',
    env: 'KORE_HEADERS_TIMEOUT',
    kind: 'duration',
    default: '30s',
    min: 1,
    help: 'the request head must arrive within D → 408',
  },
  {
    key: 'keepAliveTimeoutMs',
    flag: 'keep-alive-timeout',
    env: 'KORE_KEEP_ALIVE_TIMEOUT',
    kind: 'duration',
    default: '30s',
    min: 1,
    help: 'an idle kept-alive connection is closed after D',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'KORE_MAX_CONNECTIONS',
    kind: 'count',
    default: '10000',
    min: 1,
    help: 'open connections at most; beyond, 503 and close',
  },
  {
    key: 'maxWatchesPerClient',
    flag: 'max-watches-per-client',
    env: 'KORE_MAX_WATCHES_PER_CLIENT',
    kind: 'count',
    default: '2000',
    min: 1,
    help: 'open /raw watches and log -f streams per client\naddress → 429',
  },
  {
    key: 'maxUpstreamPerContext',
    flag: 'max-upstream-per-context',
    env: 'KORE_MAX_UPSTREAM_PER_CONTEXT',
    kind: 'count',
    default: '100',
    min: 1,
    help: 'requests in flight to one context (not watches)\n→ 429 with Retry-After',
  },
];

const SIZE_UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** `1048576`, `512Ki`, `10Mi`, `1Gi`: bytes, or undefined. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d{1,10})(Ki|Mi|Gi)?$/.exec(text);
  return m === null ? undefined : Number(m[1]) * SIZE_UNITS[m[2] ?? '']!;
}

function parseCount(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

const PARSERS: Record<Kind, { parse(text: string): number | undefined; expected: string }> = {
  duration: { parse: parseDuration, expected: 'a duration, e.g. 30s or 500ms' },
  size: { parse: parseSize, expected: 'a size in bytes, e.g. 1048576, 512Ki or 10Mi' },
  count: { parse: parseCount, expected: 'a whole number' },
};

/** The `parseArgs` options of every limit flag. */
export const LIMIT_OPTIONS = Object.fromEntries(LIMIT_SPECS.map((s) => [s.flag, { type: 'string' as const }]));

/** The limits from flags first, environment second, defaults last; a string is the error. */
export function limitsConfig(
  flags: Record<string, unknown>,
  env: Record<string, string | undefined>,
): LimitsConfig | string {
  const config: Partial<LimitsConfig> = {};
  for (const spec of LIMIT_SPECS) {
    const given = flags[spec.flag];
    const text = typeof given === 'string' ? given : env[spec.env] || spec.default;
    const { parse, expected } = PARSERS[spec.kind];
    const value = parse(text);
    if (value === undefined || value < spec.min)
      return `--${spec.flag} ${text}: must be ${expected}${spec.min > 1 ? ` (at least ${spec.min})` : ''}`;
    config[spec.key] = value;
  }
  return config as LimitsConfig;
}

/** The defaults, as the flags would give them. */
export const DEFAULT_LIMITS = limitsConfig({}, {}) as LimitsConfig;

/** The flags' lines for `--help`, in its layout (flag, then its text from column 23, environment twin last). */
export function limitsHelp(): string {
  return LIMIT_SPECS.map((s) => {
    const [first = '', ...rest] = `${s.help} (default ${s.default})`.split('\n');
    const head = `  --${s.flag} ${s.kind === 'count' ? 'N' : s.kind === 'size' ? 'SIZE' : 'D'}`;
    const lines = [head.length < 22 ? `${head.padEnd(22)}${first}` : `${head}\n${' '.repeat(22)}${first}`];
    for (const line of rest) lines.push(`${' '.repeat(22)}${line}`);
    lines.push(`${' '.repeat(22)}[${s.env}]`);
    return lines.join('\n');
  }).join('\n');
}
