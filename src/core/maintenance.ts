/**
 * Housekeeping the core needs: old inbox rows and expired flows are removed. Redeliveries
 * come within minutes or hours (Telegram keeps updates a day, Baileys replays after a
 * reconnect), so a week of handled message ids is plenty. A row still unhandled after a
 * week is dropped too, with a warning: it failed every attempt and nobody can answer it now.
 */
import type { AppDeps, Job } from "./context.ts";

const WEEK_MS = 7 * 24 * 3600_000;

/** Deletes inbound-message ids older than a week and clears expired flows, hourly. */
export function createMaintenanceJob(deps: AppDeps, intervalMs = 3600_000): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const now = deps.now();
    const weekAgo = new Date(now.getTime() - WEEK_MS);
    const removed = await deps.db.inboundMessage.deleteMany({ where: { receivedAt: { lt: weekAgo }, handledAt: { not: null } } });
    const abandoned = await deps.db.inboundMessage.deleteMany({ where: { receivedAt: { lt: weekAgo }, handledAt: null } });
    await deps.db.conversationState.updateMany({ where: { expiresAt: { lt: now } }, data: { flow: null, data: "{}", expiresAt: null } });
    if (removed.count) deps.log.debug({ removed: removed.count }, "pruned inbound message ids");
    if (abandoned.count) deps.log.warn({ removed: abandoned.count }, "dropped inbound messages left unhandled for a week");
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
