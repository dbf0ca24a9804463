/** Figures over send times: the most in any window, and the closest two sends to one chat. */

/** The most sends whose times fall in any half-open window of `windowMs`. */
export function peakInWindow(times: number[], windowMs = 1000): number {
  const t = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** The shortest time between two sends to the same chat (Infinity when none repeats). */
export function closestPerChat(sends: Array<[number, string]>): number {
  const last = new Map<string, number>();
  let closest = Infinity;
  for (const [at, chat] of [...sends].sort((a, b) => a[0] - b[0])) {
    const before = last.get(chat);
    if (before !== undefined) closest = Math.min(closest, at - before);
    last.set(chat, at);
  }
  return closest;
}
