/**
 * The FAQ feature: answers the `faq` intent from the knowledge base in the reply language:
 * confident → the answer (routing topics go to their feature first), unsure → "did you
 * mean". It is last in the chain and also answers what nothing else took (`none` and any
 * intent no feature acted on): "not understood", with the menu, the partner finder and a
 * person as choices.
 */
import { z } from "zod";
import type { AppDeps, Ctx, Feature } from "../../core/context.ts";
import { compose, onChoice } from "../../core/router.ts";
import type { FaqView } from "../../core/understanding.ts";
import type { Translate } from "../../i18n/index.ts";
import { answerReply, faqDir, loadKnowledgeBase, replyFor, topicChoiceData, type FaqReply, type KnowledgeBase } from "./knowledge.ts";

const topicIdSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(48);

/** Loads the knowledge base of `contentDir` once, on first use (not at start-up). */
export function createKnowledgeLoader(contentDir: string): () => KnowledgeBase {
  let kb: KnowledgeBase | undefined;
  return () => (kb ??= loadKnowledgeBase(faqDir(contentDir)));
}

/** The reply to a message that is not understood: say so, and offer the menu, a partner, a person. */
export function notUnderstoodReply(t: Translate): FaqReply {
  return {
    text: t("common:notUnderstood"),
    choices: [
      { data: "help:menu", label: t("common:menu.open") },
      { data: topicChoiceData("find-partner"), label: t("faq:findPartner") },
      { data: topicChoiceData("talk-to-human"), label: t("faq:talkToHuman") },
    ],
    suggestions: ["find-partner", "talk-to-human"],
  };
}

/** Creates the faq feature; `knowledge` is shared with the understanding step (app.ts). */
export function createFaqFeature(deps: AppDeps, knowledge: () => KnowledgeBase = createKnowledgeLoader(deps.config.contentDir)): Feature {
  /** Shows a topic: a routing topic goes to its feature when one takes it. */
  const showTopic = async (ctx: Ctx, id: string, handOff = true) => {
    const topic = knowledge().topics.get(id);
    if (handOff && topic?.route && (await ctx.handoff(topic.route))) return;
    if (!topic) {
      // partner finder / person offered by "not understood" work even without their KB file.
      if ((id === "find-partner" || id === "talk-to-human") && (await ctx.handoff(id))) return;
      return ctx.reply(ctx.t("faq:unknownTopic"));
    }
    const reply = answerReply(knowledge(), topic, ctx.lang);
    await ctx.reply({ text: reply.text, choices: reply.choices });
  };

  const answer = async (ctx: Ctx, match: FaqView) => {
    const base = knowledge();
    if (base.topics.size === 0) return ctx.reply(ctx.t("faq:noContent"));
    // The understanding gives a routing topic as `faq` only for a question about it ("if I send
    // STOP, will I still get reminders?"): answer it rather than hand over to the feature.
    if (match.topic) return showTopic(ctx, match.topic, false);
    const reply = replyFor(base, match, ctx.lang, ctx.t);
    await ctx.reply({ text: reply.text, choices: reply.choices });
  };

  return {
    name: "faq",
    middleware: compose([
      onChoice("faq:topic:", async (ctx, rest) => {
        const id = topicIdSchema.safeParse(rest);
        return id.success ? showTopic(ctx, id.data) : ctx.reply(ctx.t("faq:unknownTopic"));
      }),
      async (ctx, next) => {
        const u = ctx.understanding;
        if (ctx.message.content.kind !== "text" || !u) return next();
        deps.log.debug({ userId: ctx.user.id, intent: u.intent, topic: u.faq?.topic, score: u.faq?.score, reason: u.reason }, "understood");
        if (u.intent === "faq" && u.faq) return answer(ctx, u.faq);
        const reply = notUnderstoodReply(ctx.t);
        await ctx.reply({ text: reply.text, choices: reply.choices });
      },
    ]),
  };
}
