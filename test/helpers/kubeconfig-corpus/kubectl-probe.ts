/**
 * One use of a context by kubectl, `--context NAME -v=7 get --raw /kore-probe`, against servers that refuse
 * connections, read for what it shows: whether the context got past kubectl's configuration checks, what
 * kubectl sent (-v=7 logs the URL and the request headers, credentials masked), whether it ran the exec
 * plugin, and the absolute paths it resolved, which its errors name when a file is missing.
 */
import type { KubeconfigUser } from '../../../lib/clusters/kubeconfig-schema';

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type Kubectl = (args: readonly string[]) => Promise<KubectlRun>;

export interface Probe {
  usable: boolean;
  /** Why not, in kubectl's words. */
  problem?: string;
  /** The certificate or key file it could not read. */
  unreadable?: string;
  /** The request it sent, when it got that far: URL (without /kore-probe) and headers, names in lower case. */
  sent?: { url: string; headers: [string, string][] };
  /** kubectl was given a stand-in username (see probe()): Basic credentials it sends are ours, not the kubeconfig's. */
  standIn: boolean;
  /** It tried the exec plugin; `command` is the path it resolved when that file is missing. */
  execRan: boolean;
  command?: string;
  /** The token file it could not read (client-go reads one without `token` before sending anything). */
  tokenFile?: string;
}

// client-go's messages naming the files it could not read or run, with the paths it resolved.
const UNREADABLE = /unable to read (?:certificate-authority|client-cert|client-key) (\S+) for /;
const TOKEN_FILE = /^error: open (\S+): no such file or directory$/m;
const EXEC_PATH = /exec: fork\/exec (\S+): no such file or directory/;
const EXEC_RAN = /getting credentials: exec: /;
const SENT = /round_trippers\.go:\d+\] GET (\S+)\/kore-probe\s/;
const HEADER = /round_trippers\.go:\d+\] {5}([^:\s]+): (.*)$/gm;
const KLOG_LINE = /^[IWE]\d{4} /;
/** Past configuration: a connection was tried (refused, or answered by whatever may listen on kubectl's localhost:8080 default). */
const REACHED =
  /Unable to connect to the server|connection to the server .* was refused|connect: connection refused|Error from server/;

const STAND_IN = ['--username', 'kore-probe', '--password', 'kore-probe'];

/** client-go's canIdentifyUser: without any of these kubectl prompts for a username on a TLS server. */
function canIdentify(user: KubeconfigUser | undefined): boolean {
  if (user === undefined) return false;
  const fields = [
    user.username,
    user.token,
    user.tokenFile,
    user['client-certificate'],
    user['client-certificate-data'],
  ];
  return (
    fields.some((v) => v !== undefined && v !== '') || user.exec !== undefined || user['auth-provider'] !== undefined
  );
}

export async function probe(kubectl: Kubectl, context: string, user: KubeconfigUser | undefined): Promise<Probe> {
  // A user kubectl cannot identify makes it prompt on a terminal; a stand-in username keeps it going.
  const standIn = !canIdentify(user);
  const run = await kubectl([
    '--context',
    context,
    '-v=7',
    ...(standIn ? STAND_IN : []),
    'get',
    '--raw',
    '/kore-probe',
  ]);
  const log = run.stderr;
  const said = log
    .split('\n')
    .filter((line) => !KLOG_LINE.test(line))
    .join('\n')
    .trim();
  const url = SENT.exec(log)?.[1];
  const outcome: Probe = { usable: true, standIn, execRan: EXEC_RAN.test(said) };
  if (url !== undefined)
    outcome.sent = { url, headers: [...log.matchAll(HEADER)].map((m) => [m[1]!.toLowerCase(), m[2]!]) };
  if (run.code === 0) return outcome;
  const unreadable = UNREADABLE.exec(said)?.[1];
  if (unreadable !== undefined) return { ...outcome, usable: false, problem: said, unreadable };
  const tokenFile = TOKEN_FILE.exec(said)?.[1];
  if (tokenFile !== undefined) return { ...outcome, tokenFile };
  if (!REACHED.test(said)) return { ...outcome, usable: false, problem: said };
  const command = EXEC_PATH.exec(said)?.[1];
  return command === undefined ? outcome : { ...outcome, command };
}
