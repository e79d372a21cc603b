import type { ServerResponse } from 'node:http';

/**
 * A test's switch that makes the simulated API server freeze on some paths, as a wedged kube-apiserver (or an
 * overloaded etcd behind it) does: the connection stays open and nothing more arrives. `headers` freezes before
 * the response starts; `body` sends the status line and the start of a list, then nothing.
 */
export type FreezeStage = 'headers' | 'body';

/** One frozen path prefix, as the test holds it. */
export interface Freeze {
  /** Requests held now, whose connection the client has not closed. */
  held(): number;
  /** Stops freezing new requests (those held stay held). */
  thaw(): void;
}

interface Rule {
  stage: FreezeStage;
  held: number;
}

export class Freezes {
  private readonly rules = new Map<string, Rule>();

  freeze(pathPrefix: string, stage: FreezeStage): Freeze {
    const rule = { stage, held: 0 };
    this.rules.set(pathPrefix, rule);
    return { held: () => rule.held, thaw: () => void this.rules.delete(pathPrefix) };
  }

  /** True when `path` is frozen: the response is then held until the client leaves or the server closes. */
  hold(path: string, res: ServerResponse): boolean {
    const rule = [...this.rules].find(([prefix]) => path.startsWith(prefix))?.[1];
    if (rule === undefined) return false;
    rule.held += 1;
    res.once('close', () => (rule.held -= 1));
    if (rule.stage === 'body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"kind":"List","apiVersion":"v1","items":[');
    }
    return true;
  }
}
