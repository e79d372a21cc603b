/**
 * What the kubectl cluster shell starts with: kore-board's environment minus its own settings and secrets
 * (every `KORE_*`: the access token, the terminal secret) and minus what would point the shell elsewhere (the
 * user's KUBECONFIG and HOME, start-up files and prompts), plus the session's private HOME and kubeconfig.
 */

/** Variables that would load files or run commands in the shell, or lead kubectl to another kubeconfig. */
const REPLACED = new Set([
  'KUBECONFIG',
  'HOME',
  'PWD',
  'OLDPWD',
  'PS1',
  'PROMPT_COMMAND',
  'ENV',
  'BASH_ENV',
  'HISTFILE',
]);

/**
 * The prompt's name for a context: names come from kubeconfig files and from whoever may add a context, and a
 * prompt is expanded by the shell (`$(…)`, backquotes, backslash escapes), so only plain name characters are kept.
 */
export function promptName(context: string): string {
  return context.replace(/[^\w@:/.,+=-]/g, '_');
}

export function shellEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  session: { home: string; kubeconfig: string; context: string },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !name.startsWith('KORE_') && !REPLACED.has(name)) env[name] = value;
  }
  return {
    ...env,
    HOME: session.home,
    KUBECONFIG: session.kubeconfig,
    PS1: `kubectl@${promptName(session.context)}$ `,
  };
}
