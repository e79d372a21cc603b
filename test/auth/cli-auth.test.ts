/** `--auth` at start (lib/node/cli.ts): the defaults by listen address, and `none` refused beyond loopback. */
import { expect, it } from 'vitest';
import { parseCli, type CliConfig, type CliResult } from '../../lib/node/cli';

const parse = (argv: string[], env: Record<string, string> = {}): CliResult => parseCli(argv, env, '/home/u');
function config(argv: string[], env: Record<string, string> = {}): CliConfig {
  const r = parse(argv, env);
  if (r.kind !== 'run') throw new Error(JSON.stringify(r));
  return r.config;
}
const error = (argv: string[], env: Record<string, string> = {}) => {
  const r = parse(argv, env);
  return r.kind === 'error' ? r.message : `not an error: ${r.kind}`;
};

it('defaults to none on loopback, and to token beyond it or when a token is given', () => {
  expect(config([]).auth).toBe('none');
  expect(config(['--listen', '[::1]:3001']).auth).toBe('none');
  expect(config(['--listen', '0.0.0.0:3001']).auth).toBe('token');
  expect(config(['--metrics-listen', '0.0.0.0:8000']).auth).toBe('token');
  expect(config([], { KORE_AUTH_TOKEN: 'a-long-enough-token' }).auth).toBe('token');
  expect(config([], { KORE_AUTH_TOKEN_FILE: '/run/tokens' }).auth).toBe('token');
  expect(config(['--auth', 'user'], { KORE_AUTH: 'token' }).auth).toBe('user');
  expect(config([], { KORE_AUTH: 'user' }).auth).toBe('user');
});

it('refuses to start with none beyond loopback, saying why', () => {
  for (const argv of [
    ['--auth', 'none', '--listen', '0.0.0.0:3001'],
    ['--auth', 'none', '--listen', '192.168.1.5:3001'],
    ['--auth', 'none', '--metrics-listen', '0.0.0.0:8000'],
  ])
    expect(error(argv), argv.join(' ')).toMatch(/--auth none .*loopback only/);
  expect(error(['--listen', '0.0.0.0:3001'], { KORE_AUTH: 'none' })).toMatch(/loopback only/);
});

it('refuses a static token with user mode, a short session secret, an unknown mode', () => {
  expect(error(['--auth', 'user'], { KORE_AUTH_TOKEN: 'a-long-enough-token' })).toMatch(/--auth user/);
  expect(error(['--session-secret', 'short'])).toMatch(/--session-secret: must be at least 32/);
  expect(error(['--auth', 'password'])).toMatch(/--auth/);
  expect(config([], { KORE_SESSION_SECRET: 's'.repeat(32) }).sessionSecret).toBe('s'.repeat(32));
});
