import { readdir, readFile } from 'node:fs/promises';

/**
 * Ending everything a terminal started. The shell leads its own session (node-pty's setsid), but an interactive
 * shell puts each job in a process group of its own, and a job may outlive the shell (`cmd &`, `nohup`): killing the
 * shell's group alone would leave them running. Every process of the session is killed, found through /proc.
 */

/** The state and session id of `/proc/PID/stat`: fields 3 and 6, counted after the command name's closing paren. */
export function statOf(stat: string): { state: string; session: number } | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const session = Number(fields[3]);
  return fields[0] === undefined || !Number.isInteger(session) ? undefined : { state: fields[0], session };
}

/** Live processes of the session (zombies are dead already: only their parent's wait removes them). */
export async function sessionMembers(session: number): Promise<number[]> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const stats = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')));
  return pids.flatMap((pid, i) => {
    const stat = statOf(stats[i] ?? '');
    return stat?.session === session && stat.state !== 'Z' ? [Number(pid)] : [];
  });
}

function kill(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // Gone already, or never ours.
  }
}

/** A job forking while it is being killed is found on the next round; one that keeps doing so is not chased forever. */
const ROUNDS = 5;

/** SIGKILL to the session's leader group, then to every process left in the session; resolves once none is found. */
export async function killSession(session: number): Promise<void> {
  // -1 and -0 would signal every process we may signal, or our own group.
  if (!Number.isInteger(session) || session <= 1) return;
  kill(-session);
  for (let round = 0; round < ROUNDS; round++) {
    const members = await sessionMembers(session);
    if (members.length === 0) return;
    for (const pid of members) kill(pid);
  }
}
