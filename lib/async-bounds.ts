/** Bounds on asynchronous work: how long it may take, and how much of it runs at once. */

/**
 * `work`, or a rejection with `late()`'s error after `ms`. The work itself is not cancelled: its requests end with
 * their own timeouts, and the caller must not act on its result once late.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `f` on every item, at most `limit` at once; the results in the items' order. */
export async function mapLimited<A, B>(items: readonly A[], limit: number, f: (a: A) => Promise<B>): Promise<B[]> {
  const out = new Array<B>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
