/**
 * Greeting, help and the menu. The menu lists what every feature offers (`Feature.menu`),
 * so a new feature appears in it without touching this file.
 */
import type { Ctx, Feature, MenuEntry } from "../../core/context.ts";
import { compose, onChoice, onWords } from "../../core/router.ts";

// Whole messages that mean "hello" or "help" in the three forms (after keyText).
const WORDS = [
  "help", "/help", "/start", "menu", "/menu", "start", "hi", "hello", "hey", "options",
  "madad", "mdad", "menu dikhao", "salam", "salaam", "assalam o alaikum", "assalamualaikum", "aoa", "asalam o alaikum",
  "مدد", "مینو", "سلام", "السلام علیکم", "ہیلو",
];

/** Creates the help feature; `menuOf` returns the entries of every feature. */
export function createHelpFeature(menuOf: () => MenuEntry[]): Feature {
  const showMenu = async (ctx: Ctx, greet: boolean) => {
    const entries = [...menuOf(), { labelKey: "common:menu.language", data: "lang:menu" }].filter(
      (e) => !e.roles || e.roles.includes(ctx.user.role),
    );
    const name = greet && ctx.user.displayName ? ` ${ctx.user.displayName}` : "";
    const text = greet ? `${ctx.t("common:welcome", { name })}\n\n${ctx.t("common:menu.title")}` : ctx.t("common:menu.title");
    await ctx.reply({ text, choices: entries.map((e) => ({ data: e.data, label: ctx.t(e.labelKey) })) });
  };
  return {
    name: "help",
    middleware: compose([
      onWords(WORDS, (ctx, args, next) => (args ? next() : showMenu(ctx, true))),
      onChoice("help:menu", (ctx) => showMenu(ctx, false)),
      onChoice("help:ask", (ctx) => ctx.reply(ctx.t("common:help.ask"))),
    ]),
    menu: [{ labelKey: "common:menu.ask", data: "help:ask" }],
  };
}
