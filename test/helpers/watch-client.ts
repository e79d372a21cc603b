/**
 * A watch held open through kore-board's `/raw`, as kubectl holds one: each watch its own connection, events
 * read line by line, and how it ended (the server closed it cleanly, or the connection broke).
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface HeldWatch {
  /** The names of the objects the watch has reported so far (bookmarks left out), in order. */
  names: string[];
  /** Resolves once the response headers arrived, with the status code. */
  opened: Promise<number>;
  /** Resolves when the stream is over: 'end' (the response ended) or 'error' (the connection broke). */
  ended: Promise<'end' | 'error'>;
  isOver(): boolean;
  /** Resolves when an event about `name` arrived; rejects after `timeoutMs`. */
  seen(name: string, timeoutMs: number): Promise<void>;
  close(): void;
}

/** `headers`: e.g. an `Origin`, which sends `/raw` through the app's route instead of the Node fast path. */
export function holdWatch(baseUrl: string, path: string, headers: Record<string, string> = {}): HeldWatch {
  const names: string[] = [];
  const waiters = new Map<string, () => void>();
  let over = false;
  let pending = '';
  let settleEnded: (how: 'end' | 'error') => void = () => undefined;
  const ended = new Promise<'end' | 'error'>((resolve) => {
    settleEnded = (how) => {
      over = true;
      resolve(how);
    };
  });
  const url = new URL(path, baseUrl);
  let response: IncomingMessage | undefined;
  let req: ClientRequest | undefined;
  const opened = new Promise<number>((resolve, reject) => {
    req = request(url, { agent: false, headers }, (res) => {
      response = res;
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // A refusal (a Status, or a proxy's plain-text error) holds no events.
        if (res.statusCode !== 200) return;
        pending += chunk;
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() === '') continue;
          const event = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
          const name = event.object.metadata?.name;
          if (event.type === 'BOOKMARK' || name === undefined) continue;
          names.push(name);
          waiters.get(name)?.();
        }
      });
      res.on('end', () => settleEnded('end'));
      res.on('error', () => settleEnded('error'));
      res.on('aborted', () => settleEnded('error'));
    });
    req.on('error', (err) => {
      settleEnded('error');
      reject(err);
    });
    req.end();
  });
  opened.catch(() => undefined);
  return {
    names,
    opened,
    ended,
    isOver: () => over,
    seen(name, timeoutMs) {
      if (names.includes(name)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event about ${name} within ${timeoutMs} ms`)), timeoutMs);
        waiters.set(name, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    close: () => (response ?? req)?.destroy(),
  };
}
