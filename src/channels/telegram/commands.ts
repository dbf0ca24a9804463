/**
 * The command menu (the "/" button in Telegram), set per language with setMyCommands.
 * Names and descriptions are data: locales/<lang>/telegram.json → `commands`.
 */
import type { Api } from "grammy";
import { z } from "zod";
import type { I18n } from "../../i18n/index.ts";
import type { Lang } from "../../core/types.ts";

const commandsSchema = z.record(z.string().regex(/^[a-z0-9_]{1,32}$/, "command names are a-z 0-9 _ (1-32)"), z.string().min(1).max(256));

/** A Telegram command menu entry. */
export interface BotCommandEntry {
  command: string;
  description: string;
}

/** The commands of one language, validated; English keys decide which commands exist. */
export function commandMenu(i18n: I18n, lang: Lang): BotCommandEntry[] {
  const names = Object.keys(commandsSchema.parse(bundle(i18n, "en")));
  const own = commandsSchema.safeParse(bundle(i18n, lang));
  const en = commandsSchema.parse(bundle(i18n, "en"));
  return names.map((command) => ({ command, description: (own.success ? own.data[command] : undefined) ?? en[command]! }));
}

function bundle(i18n: I18n, lang: Lang): unknown {
  return (i18n.instance.getResourceBundle(lang, "telegram") as { commands?: unknown } | undefined)?.commands ?? {};
}

/**
 * English is the default menu; Urdu-script descriptions for clients set to Urdu
 * (`language_code: "ur"`). Roman Urdu has no Telegram language code, so its readers see
 * the default menu.
 */
export async function setCommandMenus(api: Api, i18n: I18n): Promise<void> {
  await api.setMyCommands(commandMenu(i18n, "en"));
  await api.setMyCommands(commandMenu(i18n, "ur"), { language_code: "ur" });
}
