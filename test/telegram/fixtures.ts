/** The Telegram update fixtures (test/fixtures/telegram/updates.json), one fresh copy at a time. */
import { readFileSync } from "node:fs";
import type { Update } from "grammy/types";

const raw = JSON.parse(readFileSync(new URL("../fixtures/telegram/updates.json", import.meta.url), "utf8")) as Record<string, Record<string, unknown>>;

/** The bot the fixtures were written for. */
export const FIXTURE_BOT = raw._meta!.bot as { id: number; username: string };

/** One fixture without `update_id` (the fake assigns it), for `fake.push`. */
export function fixture(name: string): Record<string, unknown> {
  const value = raw[name];
  if (!value || name === "_meta") throw new Error(`no telegram fixture ${name}`);
  return structuredClone(value);
}

/** One fixture as a full update. */
export function fixtureUpdate(name: string, updateId = 1): Update {
  return { update_id: updateId, ...fixture(name) } as unknown as Update;
}
