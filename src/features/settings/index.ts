/**
 * Settings a user can change from any channel: the reply language (the `language` intent:
 * "urdu", "english mein baat karo", "zaban badlo").
 * (Opting out of announcements lives with the broadcasts feature, which owns subscriptions.)
 */
import type { Ctx, Feature } from "../../core/context.ts";
import { compose, onChoice } from "../../core/router.ts";
import { LANGS, type Lang } from "../../core/types.ts";

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
      onChoice("lang:menu", (ctx) => ask(ctx)),
      onChoice("lang:set:", async (ctx, rest) => {
        const lang = LANGS.find((l) => l === rest);
        return lang ? set(ctx, lang) : ctx.reply(ctx.t("common:staleChoice"));
      }),
      async (ctx, next) => {
        const u = ctx.message.content.kind === "text" ? ctx.understanding : null;
        if (u?.intent !== "language") return next();
        return u.entities.lang ? set(ctx, u.entities.lang) : ask(ctx);
      },
    ]),
    topics: { "change-language": ask },
  };
}
