/**
 * Settings a user can change from any channel: the reply language.
 * (Opting out of announcements lives with the broadcasts feature, which owns subscriptions.)
 */
import type { Ctx, Feature } from "../../core/context.ts";
import { compose, onChoice, onWords } from "../../core/router.ts";
import { LANGS, type Lang } from "../../core/types.ts";

const MENU_WORDS = ["language", "/language", "lang", "/lang", "zaban", "zuban", "zubaan", "zabaan", "zaban badlo", "change language", "زبان", "زبان تبدیل کریں"];

// Direct switches: saying the language's name picks it.
const DIRECT: Array<[Lang, string[]]> = [
  ["en", ["english", "in english", "english please", "angrezi", "انگریزی", "انگلش"]],
  ["ur", ["urdu", "اردو", "urdu mein", "urdu script", "اردو میں"]],
  ["ur-Latn", ["roman urdu", "roman", "roman urdu mein", "رومن اردو"]],
];

/** Creates the settings feature. */
export function createSettingsFeature(): Feature {
  const ask = (ctx: Ctx) =>
    ctx.reply({
      text: ctx.t("common:language.prompt"),
      choices: LANGS.map((l) => ({ data: `lang:set:${l}`, label: ctx.t(`common:language.${l}`) })),
    });
  const set = async (ctx: Ctx, lang: Lang) => {
    await ctx.setLanguage(lang, true);
    await ctx.reply(ctx.t("common:language.changed"));
  };
  return {
    name: "settings",
    middleware: compose([
      onWords(MENU_WORDS, (ctx) => ask(ctx)),
      onChoice("lang:menu", (ctx) => ask(ctx)),
      onChoice("lang:set:", async (ctx, rest) => {
        const lang = LANGS.find((l) => l === rest);
        return lang ? set(ctx, lang) : ctx.reply(ctx.t("common:staleChoice"));
      }),
      ...DIRECT.map(([lang, words]) => onWords(words, (ctx) => set(ctx, lang))),
    ]),
    topics: { "change-language": ask },
  };
}
