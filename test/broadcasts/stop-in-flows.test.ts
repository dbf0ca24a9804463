/**
 * STOP wins inside every flow: composing a broadcast, creating an event, confirming a
 * progress step, the partner finder. Each time the user is opted out, told so, and the flow
 * is cleared, so the next message is not read as the flow's answer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isOptedOut } from "../../src/features/broadcasts/subscriptions.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const userIdOf = async (app: TestApp, externalId: string) =>
  (await app.app.deps.db.channelIdentity.findFirstOrThrow({ where: { externalId } })).userId;

const flows: Array<[string, string, string]> = [
  // [flow, who (an admin can compose and create), what starts it]
  ["broadcasts.compose", "admin", "/broadcast"],
  ["events.create", "admin", "new event"],
  ["progress.confirm", "seller", "I have uploaded 20 products, please record it"],
  ["partners.where", "seller", "nearest partner"],
];

describe("STOP inside a flow", () => {
  it.each(flows)("%s: opted out, told so, and the flow is cleared", async (flow, who, start) => {
    t = await createTestApp({ channel: "telegram", env: { SELLER_BOT_ADMINS: "telegram:stop-admin" } });
    const id = who === "admin" ? "stop-admin" : `stop-${flow}`;
    await t.send("hello", { id });
    await t.send(start, { id });
    const userId = await userIdOf(t, id);
    const before = await t.app.deps.db.conversationState.findUnique({ where: { userId } });
    expect(before?.flow, `"${start}" should start a flow`).toMatch(new RegExp(`^${flow.split(".")[0]}\\.`));

    const replies = await t.send("STOP", { id });
    expect(replies.map((r) => r.text)).toEqual([t.app.deps.i18n.t("en")("broadcasts:optOut.done")]);
    expect(await isOptedOut(t.app.deps.db, userId, "events")).toBe(true);
    const after = await t.app.deps.db.conversationState.findUnique({ where: { userId } });
    expect(after?.flow ?? null).toBeNull();
  });
});
