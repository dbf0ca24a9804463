/**
 * Runs tasks one at a time per key and concurrently across keys: one user's messages are
 * handled in order, different users' at the same time, at most `concurrency` at once.
 * The cap matters in a burst: 300 handlers running at once all progress a little at a time
 * and finish together at the end, so every one of them is "in flight" for the whole burst
 * (and repeated after a crash); 32 at a time finish one after another at the same rate.
 */

/** A per-key serial executor. */
export interface KeyedQueue {
  /** Runs `task` after every earlier task with the same key has settled, when a slot is free. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every task queued so far has settled. */
  idle(): Promise<void>;
  /** Number of keys with queued or running tasks. */
  readonly size: number;
}

/** Creates a {@link KeyedQueue}; `concurrency` tasks at most run at once (default unlimited). */
export function createKeyedQueue(options: { concurrency?: number } = {}): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  const limit = options.concurrency ?? Infinity;
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = (): Promise<void> => {
    if (running < limit) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  const limited = <T>(task: () => Promise<T>) => (limit === Infinity ? task() : slot().then(() => task().finally(release)));
  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const go = () => limited(task);
      const result = previous.then(go, go);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      // Forget the key once nothing newer was queued behind this task.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
    get size() {
      return tails.size;
    },
  };
}
