/** The limit and TLS flags as parseCli reads them: flags first, environment second, defaults last. */
import { describe, expect, it } from 'vitest';
import { HELP, parseCli, type CliResult } from '../../lib/node/cli';
import { DEFAULT_LIMITS, LIMIT_SPECS, parseSize } from '../../lib/node/limits-config';

const run = (argv: string[], env: Record<string, string> = {}): CliResult => parseCli(argv, env, '/home/u');

function config(argv: string[], env: Record<string, string> = {}) {
  const r = run(argv, env);
  if (r.kind !== 'run') throw new Error(`expected a config, got ${JSON.stringify(r)}`);
  return r.config;
}

describe('limits', () => {
  it('defaults', () => {
    expect(config([]).limits).toEqual({
      upstreamTimeoutMs: 30_000,
      maxBodyBytes: 10 * 1024 * 1024,
      maxHeaderBytes: 16 * 1024,
      headersTimeoutMs: 30_000,
      keepAliveTimeoutMs: 30_000,
      maxConnections: 10_000,
      maxWatchesPerClient: 2_000,
      maxUpstreamPerContext: 100,
    });
    expect(config([]).limits).toEqual(DEFAULT_LIMITS);
  });

  it('flags win over the environment', () => {
    const limits = config(['--upstream-timeout', '300ms', '--max-body', '512Ki', '--max-connections', '7'], {
      KORE_UPSTREAM_TIMEOUT: '1m',
      KORE_MAX_WATCHES_PER_CLIENT: '5',
      KORE_MAX_HEADER_SIZE: '32Ki',
    }).limits;
    expect(limits).toMatchObject({
      upstreamTimeoutMs: 300,
      maxBodyBytes: 512 * 1024,
      maxConnections: 7,
      maxWatchesPerClient: 5,
      maxHeaderBytes: 32 * 1024,
    });
  });

  it.each([
    [['--upstream-timeout', '30'], /--upstream-timeout 30: must be a duration/],
    [['--max-body', '10MB'], /--max-body 10MB: must be a size in bytes/],
    [['--max-header-size', '100'], /--max-header-size 100: .*at least 1024/],
    [['--max-connections', '0'], /--max-connections 0: must be a whole number/],
    [['--max-upstream-per-context', '2.5'], /--max-upstream-per-context 2.5: must be a whole number/],
  ])('%j is refused with the reason', (argv, message) => {
    const r = run(argv);
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.message).toMatch(message);
  });

  it('sizes', () => {
    expect(parseSize('1048576')).toBe(1048576);
    expect(parseSize('16Ki')).toBe(16384);
    expect(parseSize('10Mi')).toBe(10485760);
    expect(parseSize('1Gi')).toBe(1073741824);
    expect(parseSize('1.5Mi')).toBeUndefined();
    expect(parseSize('10M')).toBeUndefined();
  });

  it('--help names every limit flag with its environment twin and default', () => {
    for (const spec of LIMIT_SPECS) {
      expect(HELP).toContain(`--${spec.flag} `);
      expect(HELP).toContain(`[${spec.env}]`);
      expect(HELP).toContain(`(default ${spec.default})`);
    }
  });
});

describe('TLS flags', () => {
  it('both, by flag or environment, or neither', () => {
    expect(config([]).tls).toBeUndefined();
    expect(config(['--tls-cert', '/c.pem', '--tls-key', '/k.pem']).tls).toEqual({
      certPath: '/c.pem',
      keyPath: '/k.pem',
    });
    expect(config([], { KORE_TLS_CERT: '/c.pem', KORE_TLS_KEY: '/k.pem' }).tls).toEqual({
      certPath: '/c.pem',
      keyPath: '/k.pem',
    });
  });

  it.each([[['--tls-cert', '/c.pem']], [['--tls-key', '/k.pem']]])('%j alone is refused', (argv) => {
    expect(run(argv)).toEqual({ kind: 'error', message: '--tls-cert and --tls-key: give both, or neither' });
  });
});
