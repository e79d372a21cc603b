/** Reads a terminal's output as it comes, for tests that type into a shell and wait for what it prints. */
import type { TerminalExit, TerminalProcess } from '../../lib/terminal/types';

export interface Transcript {
  /** Everything shown so far. */
  text(): string;
  /**
   * Resolves with the output up to and including the next match of `pattern` after the previous `next`'s match;
   * rejects after `timeoutMs` with what was shown.
   */
  next(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exit: Promise<TerminalExit>;
}

export function transcript(process: TerminalProcess): Transcript {
  let text = '';
  let consumed = 0;
  const waiting = new Set<() => void>();
  process.onOutput((chunk) => {
    text += Buffer.from(chunk).toString('utf8');
    for (const check of [...waiting]) check();
  });
  const exit = new Promise<TerminalExit>((resolve) => process.onExit(resolve));
  return {
    text: () => text,
    exit,
    next: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const rest = text.slice(consumed);
          const match = pattern.exec(rest);
          if (match === null) return;
          const upTo = rest.slice(0, match.index + match[0].length);
          consumed += upTo.length;
          finish();
          resolve(upTo);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; shown:\n${text.slice(consumed)}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiting.delete(check);
        };
        waiting.add(check);
        check();
      }),
  };
}
