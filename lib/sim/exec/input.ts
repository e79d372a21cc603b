/**
 * A process's standard input: bytes from the client, read as lines or chunks, with end of file when the
 * client closes stdin. With a tty, input passes through a minimal line discipline first, as a pty would:
 * typed characters are echoed, backspace erases, Enter ends a line, ^C interrupts, ^D on an empty line is EOF.
 */

export class Input {
  private buffer = '';
  private closed = false;
  private wake: (() => void) | undefined;

  push(text: string): void {
    if (this.closed) return;
    this.buffer += text;
    this.notify();
  }

  close(): void {
    this.closed = true;
    this.notify();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The next line without its newline; the unterminated rest at EOF; undefined after that or when aborted. */
  async readLine(signal?: AbortSignal): Promise<string | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\n');
      if (end >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        return line;
      }
      if (this.closed || signal?.aborted === true) return this.drain();
      await this.waitForInput(signal);
    }
  }

  /** Whatever has arrived (waiting for something); undefined at EOF or when aborted. */
  async read(signal?: AbortSignal): Promise<string | undefined> {
    for (;;) {
      if (this.buffer !== '') return this.drain();
      if (this.closed || signal?.aborted === true) return undefined;
      await this.waitForInput(signal);
    }
  }

  private drain(): string | undefined {
    const rest = this.buffer;
    this.buffer = '';
    return rest === '' ? undefined : rest;
  }

  private waitForInput(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private notify(): void {
    this.wake?.();
  }
}

export interface TerminalHooks {
  /** Text to show the user (the echo). */
  echo(text: string): void;
  /** ^C: interrupt whatever runs. */
  interrupt(): void;
}

/** Turns keystrokes into lines for `input`, echoing them. */
export class LineDiscipline {
  private line = '';

  constructor(
    private readonly input: Input,
    private readonly hooks: TerminalHooks,
  ) {}

  receive(keys: string): void {
    for (const key of keys) {
      switch (key) {
        case '\r':
        case '\n':
          this.hooks.echo('\r\n');
          this.input.push(`${this.line}\n`);
          this.line = '';
          break;
        case '\x7f':
        case '\b':
          if (this.line !== '') {
            this.line = this.line.slice(0, -1);
            this.hooks.echo('\b \b');
          }
          break;
        case '\x03':
          this.hooks.echo('^C\r\n');
          this.line = '';
          this.hooks.interrupt();
          break;
        case '\x04':
          if (this.line === '') this.input.close();
          break;
        default:
          if (key >= ' ' || key === '\t') {
            this.line += key;
            this.hooks.echo(key);
          }
      }
    }
  }
}
