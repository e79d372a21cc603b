/**
 * A request body that streams to the cluster as it arrives and can still be sent a second time.
 *
 * Every chunk handed upstream is also kept, up to a limit. If the cluster answers 401 and fresh
 * credentials are obtained, `replay()` yields the kept chunks and then continues with whatever the
 * caller has not sent yet, so the retry gets the whole body without it ever being buffered up front.
 * A body larger than the limit cannot be replayed; the 401 then goes back to the caller as it is.
 */

/** Above the API server's own 3 MiB request limit, so any body it accepts is replayable. */
export const DEFAULT_REPLAY_LIMIT = 4 * 1024 * 1024;

type Step = IteratorResult<Uint8Array>;
const DONE: Step = { done: true, value: undefined };

export class ReplayableBody {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #limit: number;
  /** Chunks read from the source, in order; a replay consumes (and frees) them. */
  #log: (Uint8Array | undefined)[] = [];
  #logBytes = 0;
  #overflowed = false;
  #replaying = false;
  #sourceDone = false;
  /** Source reads one at a time, so a retired attempt's late read and the replay never race. */
  #queue: Promise<unknown> = Promise.resolve();
  #generation = 0;

  constructor(source: AsyncIterable<Uint8Array>, limit = DEFAULT_REPLAY_LIMIT) {
    this.#source = source[Symbol.asyncIterator]();
    this.#limit = limit;
  }

  /** True while every byte read so far is still kept. */
  get replayable(): boolean {
    return !this.#overflowed && !this.#replaying;
  }

  #read(): Promise<Step> {
    const next = this.#queue.then(async (): Promise<Step> => {
      if (this.#sourceDone) return DONE;
      const step = await this.#source.next();
      if (step.done === true) {
        this.#sourceDone = true;
        return DONE;
      }
      this.#record(step.value);
      return step;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #record(chunk: Uint8Array): void {
    // During the replay the log is only a hand-over queue, drained as fast as it fills.
    if (this.#replaying) return void this.#log.push(chunk);
    if (this.#overflowed) return;
    this.#logBytes += chunk.byteLength;
    if (this.#logBytes > this.#limit) {
      this.#overflowed = true;
      this.#log = [];
      return;
    }
    this.#log.push(chunk);
  }

  /** The body for the first attempt. */
  stream(): AsyncIterable<Uint8Array> {
    const generation = ++this.#generation;
    const next = async (): Promise<Step> => (generation === this.#generation ? this.#read() : DONE);
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }

  /** The whole body again from its first byte; once, and only while `replayable`. Retires the first attempt. */
  replay(): AsyncIterable<Uint8Array> {
    if (!this.replayable) throw new Error('the request body cannot be replayed');
    this.#replaying = true;
    const generation = ++this.#generation;
    let index = 0;
    const next = async (): Promise<Step> => {
      while (generation === this.#generation) {
        if (index < this.#log.length) {
          const chunk = this.#log[index] as Uint8Array;
          this.#log[index++] = undefined;
          return { done: false, value: chunk };
        }
        if (this.#sourceDone) return DONE;
        await this.#read();
      }
      return DONE;
    };
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }
}
