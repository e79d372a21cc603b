/**
 * A tiny shell and the handful of programs a simulated container has: enough for `kubectl exec` sessions
 * and dashboards' terminals to behave as against a real pod (prompt, echo, pwd, cd, hostname, stty size,
 * env, ls, cat, exit N, unknown commands failing with 127).
 */
import type { ContainerView } from './container';
import type { Input } from './input';
import { parseLine, ParseError } from './parse';

export interface ShellIo {
  stdout(text: string): void;
  stderr(text: string): void;
  input: Input;
  tty: boolean;
  /** Terminal rows and columns (24 × 80 until the client resizes). */
  size(): { rows: number; cols: number };
}

/** What `exit` throws to unwind out of the interpreter. */
class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const PROGRAMS = [
  'cat',
  'cd',
  'date',
  'echo',
  'env',
  'exit',
  'export',
  'false',
  'hostname',
  'id',
  'ls',
  'printenv',
  'pwd',
  'sleep',
  'stty',
  'true',
  'uname',
  'whoami',
];
const SHELLS = ['sh', 'bash', 'ash'];

export class Shell {
  private status = 0;
  private cwd = '/';
  private readonly vars: Record<string, string>;
  private running: AbortController | undefined;
  /** A shell started from this one (`sh` typed at the prompt), which gets the ^C while it runs. */
  private inner: Shell | undefined;
  private interactive = false;

  constructor(
    private readonly io: ShellIo,
    private readonly container: ContainerView,
    /** How error messages name the shell: busybox `sh` or GNU `bash`. */
    private readonly flavor: 'sh' | 'bash',
  ) {
    this.vars = { ...container.env };
  }

  /** ^C: stops the running command, or abandons the line being typed at the prompt. */
  interrupt(): void {
    if (this.inner !== undefined) this.inner.interrupt();
    else if (this.running !== undefined) this.running.abort();
    else if (this.interactive) this.io.input.push('\n');
  }

  /** Reads and runs lines until EOF or `exit`; the exit status. */
  async interact(): Promise<number> {
    this.interactive = true;
    try {
      for (;;) {
        if (this.io.tty) this.io.stdout(this.prompt());
        const line = await this.io.input.readLine();
        if (line === undefined) return this.status;
        await this.runLine(line);
      }
    } catch (err) {
      if (err instanceof ExitRequest) return err.code;
      throw err;
    } finally {
      this.interactive = false;
    }
  }

  /** `sh -c SCRIPT`. */
  async script(script: string): Promise<number> {
    try {
      for (const line of script.split('\n')) await this.runLine(line);
      return this.status;
    } catch (err) {
      if (err instanceof ExitRequest) return err.code;
      throw err;
    }
  }

  /** A command run directly by the runtime (no shell parsing): `kubectl exec POD -- echo hi`. */
  async exec(words: string[]): Promise<number> {
    try {
      return await this.run(words);
    } catch (err) {
      if (err instanceof ExitRequest) return err.code;
      throw err;
    }
  }

  /** Whether the image has this program (distroless images have none). */
  static has(container: ContainerView, program: string): boolean {
    if (SHELLS.includes(program)) return container.shells.includes(program === 'ash' ? 'sh' : program);
    return container.shells.length > 0 && PROGRAMS.includes(program);
  }

  private prompt(): string {
    return this.flavor === 'bash'
      ? `root@${this.container.podName}:${this.cwd === '/root' ? '~' : this.cwd}# `
      : `${this.cwd} # `;
  }

  private async runLine(line: string): Promise<void> {
    let commands;
    try {
      commands = parseLine(line, (name) =>
        name === '?' ? String(this.status) : name === '$' ? '1' : (this.vars[name] ?? ''),
      );
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.io.stderr(`${this.flavor}: ${err.message}\n`);
      this.status = 2;
      return;
    }
    for (const command of commands) {
      if (command.after === '&&' && this.status !== 0) continue;
      if (command.after === '||' && this.status === 0) continue;
      this.status = await this.run(command.words);
    }
  }

  private async run(words: string[]): Promise<number> {
    const [name = '', ...args] = words;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(name);
    if (assignment !== null && args.length === 0) {
      this.vars[assignment[1] ?? ''] = assignment[2] ?? '';
      return 0;
    }
    const program = name.slice(name.lastIndexOf('/') + 1);
    if (!Shell.has(this.container, program)) return this.notFound(name);
    const controller = new AbortController();
    this.running = controller;
    try {
      return await this.program(program, args, controller.signal);
    } finally {
      this.running = undefined;
    }
  }

  private notFound(name: string): number {
    this.io.stderr(this.flavor === 'bash' ? `bash: ${name}: command not found\n` : `sh: ${name}: not found\n`);
    return 127;
  }

  private async program(name: string, args: string[], signal: AbortSignal): Promise<number> {
    const out = (text: string) => this.io.stdout(text);
    switch (name) {
      case 'echo': {
        const newline = args[0] !== '-n';
        out(`${(newline ? args : args.slice(1)).join(' ')}${newline ? '\n' : ''}`);
        return 0;
      }
      case 'true':
        return 0;
      case 'false':
        return 1;
      case 'pwd':
        out(`${this.cwd}\n`);
        return 0;
      case 'hostname':
        out(`${this.container.podName}\n`);
        return 0;
      case 'whoami':
        out('root\n');
        return 0;
      case 'id':
        out('uid=0(root) gid=0(root) groups=0(root)\n');
        return 0;
      case 'uname':
        out(
          args.includes('-a')
            ? `Linux ${this.container.podName} 6.1.119-129.201.amzn2023.x86_64 #1 SMP x86_64 GNU/Linux\n`
            : 'Linux\n',
        );
        return 0;
      case 'date':
        out(`${new Date().toUTCString().replace('GMT', 'UTC')}\n`);
        return 0;
      case 'env':
      case 'printenv':
        out(
          Object.entries(this.vars)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''),
        );
        return 0;
      case 'export':
        for (const arg of args) {
          const [key = '', ...value] = arg.split('=');
          if (value.length > 0) this.vars[key] = value.join('=');
        }
        return 0;
      case 'exit':
        throw new ExitRequest(args[0] === undefined ? this.status : Number.parseInt(args[0], 10) & 255);
      case 'cd':
        return this.cd(args[0] ?? '/root');
      case 'ls':
        return this.ls(args.filter((a) => !a.startsWith('-')));
      case 'cat':
        return this.cat(args, signal);
      case 'stty':
        return this.stty(args);
      case 'sleep':
        return this.sleep(Number(args[0] ?? '0'), signal);
      case 'sh':
      case 'ash':
      case 'bash': {
        const nested = new Shell(this.io, this.container, name === 'bash' ? 'bash' : 'sh');
        const script = args[0] === '-c' ? args[1] : undefined;
        return script !== undefined ? nested.script(script) : this.nestedInteract(nested);
      }
      default:
        return this.notFound(name);
    }
  }

  private async nestedInteract(nested: Shell): Promise<number> {
    this.inner = nested;
    try {
      return await nested.interact();
    } finally {
      this.inner = undefined;
    }
  }

  private resolve(path: string): string {
    const absolute = path.startsWith('/') ? path : `${this.cwd === '/' ? '' : this.cwd}/${path}`;
    const parts: string[] = [];
    for (const part of absolute.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  }

  private cd(path: string): number {
    const target = this.resolve(path);
    if (this.container.dirs.has(target)) {
      this.cwd = target;
      return 0;
    }
    this.io.stderr(
      this.flavor === 'bash'
        ? `bash: cd: ${path}: No such file or directory\n`
        : `sh: cd: can't cd to ${path}: No such file or directory\n`,
    );
    return this.flavor === 'bash' ? 1 : 2;
  }

  private ls(paths: string[]): number {
    let status = 0;
    const targets = paths.length === 0 ? ['.'] : paths;
    for (const path of targets) {
      const full = this.resolve(path);
      const entries = this.container.dirs.get(full);
      if (entries !== undefined) {
        if (targets.length > 1) this.io.stdout(`${path}:\n`);
        if (entries.length > 0)
          this.io.stdout(this.io.tty ? `${entries.join('  ')}\n` : entries.map((e) => `${e}\n`).join(''));
      } else if (this.container.files.has(full)) {
        this.io.stdout(`${path}\n`);
      } else {
        this.io.stderr(`ls: ${path}: No such file or directory\n`);
        status = 1;
      }
    }
    return status;
  }

  private async cat(paths: string[], signal: AbortSignal): Promise<number> {
    if (paths.length === 0 || (paths.length === 1 && paths[0] === '-')) {
      for (;;) {
        const chunk = await this.io.input.read(signal);
        if (chunk === undefined) return signal.aborted ? 130 : 0;
        this.io.stdout(chunk);
      }
    }
    let status = 0;
    for (const path of paths) {
      const full = this.resolve(path);
      const content = this.container.files.get(full);
      if (content !== undefined) this.io.stdout(content);
      else {
        this.io.stderr(
          this.container.dirs.has(full)
            ? `cat: read error: Is a directory\n`
            : `cat: can't open '${path}': No such file or directory\n`,
        );
        status = 1;
      }
    }
    return status;
  }

  private stty(args: string[]): number {
    if (!this.io.tty) {
      this.io.stderr('stty: standard input: Not a tty\n');
      return 1;
    }
    if (args[0] === 'size') {
      const { rows, cols } = this.io.size();
      this.io.stdout(`${rows} ${cols}\n`);
    }
    return 0;
  }

  private sleep(seconds: number, signal: AbortSignal): Promise<number> {
    if (!Number.isFinite(seconds) || seconds < 0) {
      this.io.stderr(`sleep: invalid number '${String(seconds)}'\n`);
      return Promise.resolve(1);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop);
        resolve(0);
      }, seconds * 1000);
      const stop = () => {
        clearTimeout(timer);
        resolve(130);
      };
      signal.addEventListener('abort', stop, { once: true });
    });
  }
}
