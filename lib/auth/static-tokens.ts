/**
 * The static tokens of `--auth token`: from `--auth-token-file` (one a line, re-read when it changes), the
 * environment, or `<data-dir>/token`. Any of them signs in, and each is accepted as it is on every request
 * (`Authorization: Bearer`, kubectl's path token).
 */

/** Shorter tokens are refused at start: a guessable token would be the whole dashboard's password. */
export const MIN_TOKEN_LENGTH = 16;

export interface StaticTokens {
  /** Whether `given` is one of the tokens, compared in constant time. */
  matches(given: string): boolean;
  /** Replaces the set (the token file changed). */
  replace(tokens: readonly string[]): void;
}

/** A token file's tokens: one a line, blank lines and `#` comments skipped, surrounding spaces trimmed. */
export function parseTokenList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The lines of a token list too short to be tokens (1-based), for the error that names them. */
export function shortTokenLines(text: string): number[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#') && line.length < MIN_TOKEN_LENGTH)
    .map(({ n }) => n);
}

/** Compares without an early exit, so response time does not reveal how much of a guess was right. */
export function constantTimeEqual(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return diff === 0;
}

export function staticTokens(initial: readonly string[]): StaticTokens {
  let tokens = [...initial];
  return {
    // Every token is compared, so which one matched (or how many there are) does not show in the timing either.
    matches: (given) => tokens.reduce((found, token) => constantTimeEqual(given, token) || found, false),
    replace: (next) => {
      tokens = [...next];
    },
  };
}
