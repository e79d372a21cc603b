/**
 * Splits a shell command line into simple commands joined by `;`, `&&` and `||`, with quoting, escapes,
 * comments and `$VAR` / `${VAR}` / `$?` expansion — the part of POSIX sh a person types at a prompt.
 * Pipes and redirections are refused with a syntax error rather than silently misread.
 */

export interface SimpleCommand {
  words: string[];
  /** How this command is joined to the previous one. */
  after: ';' | '&&' | '||';
}

export class ParseError extends Error {
  override name = 'ParseError';
}

export function parseLine(line: string, lookup: (name: string) => string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let after: SimpleCommand['after'] = ';';
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (next: SimpleCommand['after']) => {
    endWord();
    if (words.length > 0) commands.push({ words, after });
    else if (next !== ';') throw new ParseError(`syntax error: unexpected "${next}"`);
    words = [];
    after = next;
  };
  const expand = (from: number): [string, number] => {
    const rest = line.slice(from + 1);
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*|\?)\}/.exec(rest);
    const bare = /^([A-Za-z_][A-Za-z0-9_]*|\?|\$)/.exec(rest);
    const match = braced ?? bare;
    if (match === null) return ['$', from + 1];
    return [lookup(match[1] ?? ''), from + 1 + match[0].length];
  };

  for (let i = 0; i < line.length;) {
    const c = line[i] ?? '';
    if (c === '\\') {
      word += line[i + 1] ?? '';
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ParseError('syntax error: unterminated quoted string');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (;;) {
        const d = line[i];
        if (d === undefined) throw new ParseError('syntax error: unterminated quoted string');
        if (d === '"') break;
        if (d === '\\' && /["\\$`]/.test(line[i + 1] ?? '')) {
          word += line[i + 1];
          i += 2;
        } else if (d === '$') {
          const [value, next] = expand(i);
          word += value;
          i = next;
        } else {
          word += d;
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      const [value, next] = expand(i);
      word += value;
      inWord = true;
      i = next;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === ';') {
      endCommand(';');
      i++;
    } else if (line.startsWith('&&', i) || line.startsWith('||', i)) {
      endCommand(line.slice(i, i + 2) as '&&' | '||');
      i += 2;
    } else if (c === '|' || c === '>' || c === '<' || c === '&') {
      throw new ParseError(
        `syntax error: "${c}" (pipes, redirection, background jobs) is not supported by the simulated shell`,
      );
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endWord();
  if (words.length > 0) commands.push({ words, after });
  else if (after !== ';') throw new ParseError('syntax error: unexpected end of file');
  return commands;
}
