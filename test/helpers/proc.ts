import { readdirSync, readFileSync } from 'node:fs';

/** The direct children of a process, from Linux's /proc (every thread's list: a child belongs to the thread that forked it). */
export function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
      .split(' ')
      .filter((c) => c !== '')
      .map(Number),
  );
}
