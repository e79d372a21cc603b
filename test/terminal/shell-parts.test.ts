/** The cluster shell's pure parts: its environment and prompt, and reading /proc/PID/stat. */
import { describe, expect, it } from 'vitest';
import { statOf } from '../../lib/node/session-kill';
import { promptName, shellEnvironment } from '../../lib/node/shell-environment';

describe('shellEnvironment', () => {
  const session = { home: '/tmp/kore-board-shell-x', kubeconfig: '/tmp/kore-board-shell-x/.kube/config', context: 'c' };

  it('keeps the user’s environment but kore-board’s own variables, and points HOME and KUBECONFIG at the session', () => {
    const env = shellEnvironment(
      {
        PATH: '/usr/bin',
        LANG: 'C.UTF-8',
        KORE_AUTH_TOKEN: 'secret',
        KORE_TERMINAL_SECRET: 'secret',
        KUBECONFIG: '/home/u/.kube/config',
        HOME: '/home/u',
        ENV: '/home/u/.shrc',
        BASH_ENV: '/home/u/.bashrc',
        PROMPT_COMMAND: 'curl evil',
        UNSET: undefined,
      },
      session,
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HOME: session.home,
      KUBECONFIG: session.kubeconfig,
      PS1: 'kubectl@c$ ',
    });
  });
});

describe('promptName', () => {
  it('keeps context names as kubeconfigs spell them', () => {
    expect(promptName('kubernetes-admin@kubernetes')).toBe('kubernetes-admin@kubernetes');
    expect(promptName('arn:aws:eks:eu-west-1:123456789012:cluster/prod')).toBe(
      'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
    );
  });

  it('leaves nothing a shell would expand in its prompt', () => {
    expect(promptName('$(touch /tmp/x)`id`\\u ${HOME}!')).toBe('__touch_/tmp/x__id__u___HOME__');
    expect(promptName('a\nb')).toBe('a_b');
  });
});

describe('statOf', () => {
  it('reads the state and session after the command name, whatever the name holds', () => {
    expect(statOf('4242 (sleep) S 4200 4242 4100 34816 4242 4194560 107 0 0 0')).toEqual({
      state: 'S',
      session: 4100,
    });
    expect(statOf('77 (a) b (c) Z 1 77 70 0 -1')).toEqual({ state: 'Z', session: 70 });
  });

  it('is undefined for what is not a stat line', () => {
    expect(statOf('')).toBeUndefined();
    expect(statOf('1 (x)')).toBeUndefined();
  });
});
