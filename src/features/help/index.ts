/**
 * The menu and small talk. The menu lists what every feature offers (`Feature.menu`), so a
 * new feature appears in it without touching this file. Greetings get the welcome and the
 * menu; thanks, acknowledgements and goodbyes a short reply (no choices, so the numbers of
 * the list sent before keep their meaning; "0" opens the menu).
 */
import type { Ctx, Feature, MenuEntry } from "../../core/context.ts";
import { compose, onChoice } from "../../core/router.ts";

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
      onChoice("help:menu", (ctx) => showMenu(ctx, false)),
      onChoice("help:ask", (ctx) => ctx.reply(ctx.t("common:help.ask"))),
      async (ctx, next) => {
        switch (ctx.message.content.kind === "text" ? ctx.understanding?.intent : undefined) {
          case "menu":
            // "0" is the main menu everywhere: just the menu; "help", "/start" also greet.
            return showMenu(ctx, ctx.understanding?.number === undefined);
          case "greeting":
          case "optin": // START from someone already subscribed (broadcasts passed it on): the welcome
            return showMenu(ctx, true);
          case "thanks":
            return ctx.reply(ctx.t("common:smallTalk.thanks"));
          case "ack":
            return ctx.reply(ctx.t("common:smallTalk.ack"));
          case "bye":
            return ctx.reply(ctx.t("common:smallTalk.bye"));
          default:
            return next();
        }
      },
    ]),
    menu: [{ labelKey: "common:menu.ask", data: "help:ask" }],
  };
}
