import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../lib/node/cli';
import { DEFAULT_LIMITS } from '../../lib/node/limits-config';

const HOME = '/home/u';
const run = (argv: string[], env: Record<string, string> = {}) => parseCli(argv, env, HOME);
const config = (argv: string[], env: Record<string, string> = {}) => {
  const r = run(argv, env);
  if (r.kind !== 'run') throw new Error(`expected a config, got ${JSON.stringify(r)}`);
  return r.config;
};
const errorOf = (argv: string[], env: Record<string, string> = {}) => {
  const r = run(argv, env);
  if (r.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return r.message;
};

describe('parseCli', () => {
  it('defaults to loopback, ~/.kube/config and info logging', () => {
    expect(config([])).toEqual({
      kubeconfigPaths: ['/home/u/.kube/config'],
      listen: { host: '127.0.0.1', port: 3001 },
      demo: false,
      logLevel: 'info',
      accessLog: true,
      allowOrigins: [],
      allowHosts: [],
      auth: 'none',
      authToken: undefined,
      authTokenFile: undefined,
      sessionSecret: undefined,
      allowAddedContextExec: false,
      dataDir: '/home/u/.kore-board',
      workers: 1,
      uiDir: undefined,
      metrics: {
        source: { kind: 'embedded' },
        resolutionMs: 60_000,
        windowMs: 900_000,
        contexts: undefined,
        listen: undefined,
      },
      terminal: { secret: undefined, idleMs: 180_000, max: 50, shell: false },
      tls: undefined,
      limits: DEFAULT_LIMITS,
    });
  });

  it('reads the terminal flags, or their environment twins, and warns of a secret on the command line', () => {
    const secret = 's'.repeat(32);
    const r = run(['--terminal-secret', secret, '--terminal-idle', '90s', '--terminal-max', '7']);
    expect(r).toMatchObject({ kind: 'run', config: { terminal: { secret, idleMs: 90_000, max: 7 } } });
    expect(r.kind === 'run' && r.warnings).toEqual([expect.stringMatching(/^--terminal-secret on the command line/)]);
    const env = { KORE_TERMINAL_SECRET: secret, KORE_TERMINAL_IDLE: '10m', KORE_TERMINAL_MAX: '200' };
    expect(run([], env)).toMatchObject({
      kind: 'run',
      config: { terminal: { secret, idleMs: 600_000, max: 200 } },
      warnings: [],
    });
    expect(errorOf(['--terminal-secret', 'short'])).toBe('--terminal-secret: must be at least 32 characters');
    expect(errorOf(['--terminal-idle', '10'])).toBe('--terminal-idle 10: must be a duration of at least 1s, e.g. 3m');
    expect(errorOf(['--terminal-idle', '500ms'])).toMatch(/^--terminal-idle 500ms: must be a duration of at least 1s/);
    for (const max of ['0', '-1', 'many', '1e3'])
      expect(errorOf([`--terminal-max=${max}`])).toBe(
        `--terminal-max ${max}: must be a number of sessions, at least 1`,
      );
  });

  it('reads --terminal-shell, or KORE_TERMINAL_SHELL', () => {
    expect(config(['--terminal-shell']).terminal.shell).toBe(true);
    expect(config([], { KORE_TERMINAL_SHELL: '1' }).terminal.shell).toBe(true);
    expect(config([], { KORE_TERMINAL_SHELL: 'off' }).terminal.shell).toBe(false);
    expect(errorOf([], { KORE_TERMINAL_SHELL: 'maybe' })).toBe(
      'KORE_TERMINAL_SHELL: must be 1/true/yes/on or 0/false/no/off',
    );
  });

  it('reads the metrics flags: durations, a window of 2 to 10,000 scrapes, a context list', () => {
    expect(
      config(['--metrics-resolution', '5s', '--metrics-duration', '1h', '--metrics-contexts', 'a, b']).metrics,
    ).toEqual({
      source: { kind: 'embedded' },
      resolutionMs: 5_000,
      windowMs: 3_600_000,
      contexts: ['a', 'b'],
      listen: undefined,
    });
    expect(config(['--metrics-listen', 'localhost:8000']).metrics.listen).toEqual({ host: 'localhost', port: 8000 });
    expect(errorOf(['--metrics-listen', 'nope'])).toMatch(/^--metrics-listen: must be HOST:PORT/);
    expect(errorOf(['--auth', 'none', '--metrics-listen', '0.0.0.0:8000'])).toMatch(
      /--auth none is allowed on loopback only/,
    );
    expect(config([], { KORE_METRICS_RESOLUTION: '30s', KORE_METRICS_CONTEXTS: 'x' }).metrics).toMatchObject({
      resolutionMs: 30_000,
      contexts: ['x'],
    });
    expect(errorOf(['--metrics-resolution', '500ms'])).toMatch(
      /^--metrics-resolution 500ms: must be a duration of at least 1s/,
    );
    expect(errorOf(['--metrics-resolution', '1m;drop'])).toMatch(/^--metrics-resolution/);
    expect(errorOf(['--metrics-duration', 'soon'])).toMatch(/^--metrics-duration soon: must be a duration/);
    expect(errorOf(['--metrics-duration', '1m'])).toMatch(/must hold 2 to 10000 scrapes of 1m \(it holds 1\)/);
  });

  it('reads --metrics-source prometheus=URL and --prometheus-cluster-label, or their environment twins', () => {
    expect(config(['--metrics-source', 'prometheus=http://127.0.0.1:9090']).metrics.source).toEqual({
      kind: 'prometheus',
      url: 'http://127.0.0.1:9090/',
      clusterLabel: 'cluster',
    });
    expect(
      config([], {
        KORE_METRICS_SOURCE: 'prometheus=https://prom.example:443/sub/',
        KORE_PROMETHEUS_CLUSTER_LABEL: 'k8s_cluster',
      }).metrics.source,
    ).toEqual({ kind: 'prometheus', url: 'https://prom.example/sub/', clusterLabel: 'k8s_cluster' });
    expect(
      config(['--metrics-source', 'embedded'], { KORE_METRICS_SOURCE: 'prometheus=http://p:9090' }).metrics.source,
    ).toEqual({ kind: 'embedded' });
    for (const bad of ['prometheus', 'prometheus=', 'prometheus=ftp://p', 'graphite=http://p', 'Embedded'])
      expect(errorOf(['--metrics-source', bad])).toMatch(/^--metrics-source .*: must be embedded or prometheus=URL/);
    expect(errorOf(['--metrics-source', 'prometheus=http://user:secret@p:9090'])).toMatch(/with credentials/);
    expect(errorOf(['--metrics-source', 'prometheus=http://user:secret@p:9090'])).not.toMatch(/secret/);
    for (const bad of ['cluster-name', '1cluster', 'a}', ''])
      expect(errorOf(['--prometheus-cluster-label', bad])).toMatch(/must be a Prometheus label name/);
  });

  it('takes --ui-dir, or KORE_UI_DIR, when the folder holds a built app (index.html)', () => {
    const app = mkdtempSync(join(tmpdir(), 'kore-cli-ui-'));
    writeFileSync(join(app, 'index.html'), '<!doctype html>');
    const empty = mkdtempSync(join(tmpdir(), 'kore-cli-ui-empty-'));
    expect(config(['--ui-dir', app]).uiDir).toBe(app);
    expect(config([], { KORE_UI_DIR: app }).uiDir).toBe(app);
    expect(config(['--ui-dir', app], { KORE_UI_DIR: empty }).uiDir).toBe(app);
    expect(config([], { KORE_UI_DIR: '' }).uiDir).toBeUndefined();
    for (const argv of [
      ['--ui-dir', empty],
      ['--ui-dir', join(app, 'missing')],
      ['--ui-dir', join(app, 'index.html')],
    ]) {
      const message = errorOf(argv);
      expect(message).toMatch(/^--ui-dir .*: not a built app \(/);
      expect(message).not.toContain('\n');
    }
    expect(errorOf([], { KORE_UI_DIR: empty })).toMatch(/^--ui-dir /);
  });

  it('takes --workers as a count or auto (one per CPU), from KORE_WORKERS too', () => {
    expect(config(['--workers', '3']).workers).toBe(3);
    expect(config([], { KORE_WORKERS: '2' }).workers).toBe(2);
    const auto = parseCli(['--workers', 'auto'], {}, HOME, ':', 6);
    expect(auto.kind === 'run' && auto.config.workers).toBe(6);
    expect(errorOf(['--workers', '0'])).toMatch(/^--workers: must be 1..64 or "auto"/);
    expect(errorOf(['--workers', '65'])).toMatch(/^--workers: must be 1..64/);
    expect(errorOf(['--workers', 'many'])).toMatch(/^--workers: must be a number of processes or "auto"/);
  });

  it('takes repeated --kubeconfig in order, over KUBECONFIG', () => {
    expect(config(['--kubeconfig', 'a', '--kubeconfig', 'b'], { KUBECONFIG: 'x:y' }).kubeconfigPaths).toEqual([
      'a',
      'b',
    ]);
    expect(config([], { KUBECONFIG: 'x::y' }).kubeconfigPaths).toEqual(['x', 'y']);
  });

  it('reads every flag from its environment twin', () => {
    const c = config([], {
      KORE_LISTEN: '[::1]:9000',
      KORE_DEMO: 'true',
      KORE_LOG_LEVEL: 'debug',
      KORE_ALLOW_ORIGIN: 'https://a.example, http://localhost:5173',
      KORE_ALLOW_HOST: 'kb.internal',
      KORE_DATA_DIR: '/data',
    });
    expect(c.listen).toEqual({ host: '::1', port: 9000 });
    expect(c.demo).toBe(true);
    expect(c.logLevel).toBe('debug');
    expect(c.allowOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(c.allowHosts).toEqual(['kb.internal']);
    expect(c.dataDir).toBe('/data');
  });

  it('lets a flag win over its environment twin', () => {
    expect(config(['--listen', '127.0.0.1:1'], { KORE_LISTEN: '127.0.0.1:2' }).listen.port).toBe(1);
    expect(config(['--log-level', 'warn'], { KORE_LOG_LEVEL: 'debug' }).logLevel).toBe('warn');
    expect(config(['--access-log', 'off']).accessLog).toBe(false);
    expect(config([], { KORE_ACCESS_LOG: 'off' }).accessLog).toBe(false);
    expect(errorOf(['--access-log', 'yes'])).toBe('--access-log: must be on or off');
  });

  it('rejects bad values with a one-line reason', () => {
    expect(errorOf(['--listen', 'nope'])).toMatch(/^--listen: must be HOST:PORT/);
    expect(errorOf(['--listen', '127.0.0.1:70000'])).toMatch(/port must be 0..65535/);
    expect(errorOf(['--log-level', 'loud'])).toMatch(/^--log-level: must be one of debug, info/);
    expect(errorOf(['--allow-origin', '*'])).toMatch(/wildcard origin is not allowed/);
    expect(errorOf(['--allow-origin', 'https://a.example/path'])).toMatch(/must be an origin/);
    expect(errorOf(['--bogus'])).toMatch(/Unknown option '--bogus'/);
    expect(errorOf(['stray'])).toMatch(/positional argument/);
    expect(errorOf([], { KORE_DEMO: 'maybe' })).toMatch(/^KORE_DEMO/);
    for (const argv of [['--listen', 'nope'], ['--bogus']]) expect(errorOf(argv)).not.toContain('\n');
  });

  it('refuses to listen beyond loopback without an access token, and accepts its name as a Host', () => {
    expect(errorOf(['--listen', '0.0.0.0:3001', '--auth', 'none'])).toMatch(/--auth none .* loopback only/);
    expect(config(['--listen', '0.0.0.0:3001']).auth).toBe('token');
    expect(errorOf(['--listen', '0.0.0.0:3001', '--auth-token', 'short'])).toMatch(/at least 16/);
    const c = config(['--listen', '10.1.2.3:3001', '--auth-token', 'a-long-enough-token']);
    expect(c.allowHosts).toEqual(['10.1.2.3']);
    expect(c.authToken).toBe('a-long-enough-token');
  });

  it('takes the access token from the environment or a file, and warns when it is on the command line', () => {
    expect(run([], { KORE_AUTH_TOKEN: 'a-long-enough-token' })).toMatchObject({
      kind: 'run',
      config: { authToken: 'a-long-enough-token' },
      warnings: [],
    });
    expect(run(['--auth-token-file', '/run/t'])).toMatchObject({
      kind: 'run',
      config: { authTokenFile: '/run/t' },
      warnings: [],
    });
    expect(config([], { KORE_AUTH_TOKEN_FILE: '/run/t' }).authTokenFile).toBe('/run/t');
    const onArgv = run(['--auth-token', 'a-long-enough-token']);
    expect(onArgv.kind === 'run' && onArgv.warnings.join()).toMatch(/visible to every local user/);
    expect(errorOf(['--auth-token', 'a-long-enough-token', '--auth-token-file', '/t'])).toMatch(/one, not both/);
    expect(errorOf(['--auth', 'none', '--auth-token', 'a-long-enough-token'])).toMatch(/--auth none/);
    expect(errorOf(['--auth', 'open'])).toMatch(/^--auth: must be one of none, token, user/);
    expect(config([], { KORE_AUTH: 'none' }).auth).toBe('none');
  });

  it('keeps exec plugins out of added contexts unless the operator lets them in', () => {
    expect(config(['--allow-added-context-exec']).allowAddedContextExec).toBe(true);
    expect(config([], { KORE_ALLOW_ADDED_CONTEXT_EXEC: '1' }).allowAddedContextExec).toBe(true);
    expect(errorOf([], { KORE_ALLOW_ADDED_CONTEXT_EXEC: 'perhaps' })).toMatch(/^KORE_ALLOW_ADDED_CONTEXT_EXEC/);
  });

  it('answers --help with the usage text', () => {
    const r = run(['--help']);
    expect(r.kind).toBe('help');
    if (r.kind === 'help')
      for (const flag of [
        '--kubeconfig',
        '--listen',
        '--demo',
        '--log-level',
        '--auth',
        '--allow-added-context-exec',
        '--ui-dir',
      ])
        expect(r.text).toContain(flag);
  });
});
