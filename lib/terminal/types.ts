/**
 * The web terminal's shared shapes: what a token binds, what a running terminal (a pod exec or a local PTY) offers
 * the webtty session, and the single-use ledger of token ids. The session speaks to the browser; the processes
 * behind it never see the protocol.
 */

export type TermType = 'cluster' | 'pod' | 'container';

/** What a terminal token is for; bound in its claims, checked again when the websocket presents it. */
export interface TerminalTarget {
  cluster: string;
  termtype: TermType;
  /** pod and container terminals */
  namespace?: string;
  pod?: string;
  /** container terminals; a pod terminal takes the pod's default container */
  container?: string;
  /**
   * The user it was minted for (`--auth user`); absent when minted by the owner. Only the same signed-in user opens
   * it: a token that leaks to another user (or to the owner) is refused.
   */
  user?: string;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** How a terminal ended, as the user is shown it. */
export interface TerminalExit {
  /** The shell's exit status; undefined when it is not known (connection lost). */
  code: number | undefined;
  /** Shown before closing, e.g. "remote shell is not supported". */
  message?: string;
}

/** A running terminal: a shell in a pod's container, or a local PTY running the kubectl shell. */
export interface TerminalProcess {
  /** The user's keystrokes, as typed. */
  write(input: string): void;
  resize(size: TerminalSize): void;
  /** Output to show, in order. One listener. */
  onOutput(listener: (chunk: Uint8Array) => void): void;
  /** Called once, after the last output. One listener. */
  onExit(listener: (exit: TerminalExit) => void): void;
  /** The browser left: end the process (close the exec, kill the process group) and release what it holds. */
  close(): void;
}

/**
 * Token ids already used. A token works once: the first claim of a `jti` wins, every later one (on any worker) is
 * refused. Entries are kept until the token's own expiry, after which it is refused anyway.
 */
export interface JtiLedger {
  /** true the first time a jti is claimed before `expiresAtMs`; false ever after. */
  claim(jti: string, expiresAtMs: number): Promise<boolean>;
}

/** The kubectl shell on this machine (lib/node: node-pty), when it can run here. */
export interface ClusterShell {
  /** Why it cannot run (node-pty missing, not on loopback and --terminal-shell off), or undefined when it can. */
  unavailable(): string | undefined;
  /** A shell whose kubeconfig holds only `context`; rejects with a StatusError when it cannot start. */
  start(context: string, size: TerminalSize): Promise<TerminalProcess>;
}
