/**
 * Housekeeping the core needs: old de-duplication rows and expired flows are removed.
 * Redeliveries come within minutes (Telegram retries, Baileys replays after reconnect), so
 * a week of message ids is plenty.
 */
import type { AppDeps, Job } from "./context.ts";

const WEEK_MS = 7 * 24 * 3600_000;

/** Deletes inbound-message ids older than a week and clears expired flows, hourly. */
export function createMaintenanceJob(deps: AppDeps, intervalMs = 3600_000): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const now = deps.now();
    const removed = await deps.db.inboundMessage.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - WEEK_MS) } } });
    await deps.db.conversationState.updateMany({ where: { expiresAt: { lt: now } }, data: { flow: null, data: "{}", expiresAt: null } });
    if (removed.count) deps.log.debug({ removed: removed.count }, "pruned inbound message ids");
  };
  return {
    name: "core.maintenance",
    start() {
      const run = () => (running = tick().catch((err: unknown) => deps.log.warn({ err }, "maintenance failed")));
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
