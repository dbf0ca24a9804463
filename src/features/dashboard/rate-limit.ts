/**
 * Failed login attempts per client address, in memory: enough for the one process that
 * serves the dashboard. Several processes behind a load balancer each count their own
 * (an attacker gets N times the attempts), and behind a reverse proxy every client shares
 * the proxy's address; both are noted in docs/dashboard.md. Tokens have 256 random bits,
 * so this is a second line of defence and keeps guessing from filling the logs.
 */

/** A fixed-window counter of failures per key. */
export interface FailureLimiter {
  /** Whether `key` has used up its attempts in the current window. */
  blocked(key: string): boolean;
  /** Counts a failure; returns the seconds until the window ends. */
  fail(key: string): number;
  /** Seconds until `key` may try again (0 when not blocked). */
  retryAfter(key: string): number;
}

/** Options: attempts per window, the window, the clock, the most keys remembered. */
export interface LimiterOptions {
  max?: number;
  windowMs?: number;
  now?: () => Date;
  maxKeys?: number;
}

/** Creates a limiter: by default 10 failures per 15 minutes per address. */
export function createFailureLimiter(options: LimiterOptions = {}): FailureLimiter {
  const max = options.max ?? 10;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const now = () => (options.now ?? (() => new Date()))().getTime();
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { count: number; resetAt: number }>();

  const current = (key: string) => {
    const w = windows.get(key);
    if (w && w.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  // A flood of addresses must not grow memory without bound: drop ended windows, then the oldest.
  const makeRoom = () => {
    if (windows.size < maxKeys) return;
    for (const [key, w] of windows) if (w.resetAt <= now()) windows.delete(key);
    while (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
  };
  const seconds = (w: { resetAt: number } | undefined) => (w ? Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) : 0);

  return {
    blocked: (key) => (current(key)?.count ?? 0) >= max,
    fail(key) {
      let w = current(key);
      if (!w) {
        makeRoom();
        w = { count: 0, resetAt: now() + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return seconds(w);
    },
    retryAfter(key) {
      const w = current(key);
      return w && w.count >= max ? seconds(w) : 0;
    },
  };
}
