/**
 * The FAQ feature: answers onboarding questions from the knowledge base in the reply
 * language. It is last in the chain, so it receives every text no other feature took:
 * confident → the answer (routing topics go to their feature first), unsure → "did you
 * mean", nothing → say so and offer the partner finder or a person.
 */
import { z } from "zod";
import type { AppDeps, Ctx, Feature } from "../../core/context.ts";
import { compose, onChoice } from "../../core/router.ts";
import { answerReply, faqDir, loadKnowledgeBase, replyFor, type KnowledgeBase } from "./knowledge.ts";

const topicIdSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(48);

/** Creates the faq feature. The knowledge base is loaded on first use, not at start-up. */
export function createFaqFeature(deps: AppDeps): Feature {
  let kb: KnowledgeBase | undefined;
  const knowledge = () => (kb ??= loadKnowledgeBase(faqDir(deps.config.contentDir)));

  /** Shows a topic: a routing topic goes to its feature when one takes it. */
  const showTopic = async (ctx: Ctx, id: string) => {
    const topic = knowledge().topics.get(id);
    if (topic?.route && (await ctx.handoff(topic.route))) return;
    if (!topic) {
      // partner finder / person offered by "nothing found" work even without their KB file.
      if ((id === "find-partner" || id === "talk-to-human") && (await ctx.handoff(id))) return;
      return ctx.reply(ctx.t("faq:unknownTopic"));
    }
    const reply = answerReply(knowledge(), topic, ctx.lang);
    await ctx.reply({ text: reply.text, choices: reply.choices });
  };

  const answerText = async (ctx: Ctx) => {
    const base = knowledge();
    if (base.topics.size === 0) return ctx.reply(ctx.t("faq:noContent"));
    const match = base.matcher.match(ctx.text);
    deps.log.debug({ userId: ctx.user.id, topic: match.topic, score: match.score, decision: match.decision }, "faq match");
    if (match.topic) return showTopic(ctx, match.topic);
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
        if (ctx.message.content.kind !== "text" || ctx.text === "") return next();
        return answerText(ctx);
      },
    ]),
  };
}
