import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createClock, texts, userIdOf } from "./helpers.ts";

let t: TestApp;
const clock = createClock();
beforeAll(async () => {
  t = await createTestApp({ now: clock.now });
});
afterAll(async () => t.close());

const events = (sellerId: number) => t.database.prisma.progressEvent.findMany({ where: { sellerId }, orderBy: { id: "asc" } });
const state = (sellerId: number) => t.database.prisma.sellerProgress.findUnique({ where: { sellerId } });

describe("checklist", () => {
  it("shows every stage unticked, the next step with its how-to and FAQ link", async () => {
    const [reply] = await t.send("my progress", { id: "s1" });
    expect(reply?.text).toContain("Your listing progress (0/8)");
    expect(reply?.text.match(/⬜/g)).toHaveLength(8);
    expect(reply?.text).toContain("Next step: Seller account created");
    // No buttons on this channel: the choices come as a numbered list.
    expect(reply?.text).toMatch(/1\. ✅ Done: Seller account created\n2\. How to: Seller account created\n3\. Mark another step/);
  });

  it("offers buttons with the tick, the FAQ answer and more steps on Telegram", async () => {
    const tg = await createTestApp({ channel: "telegram", capabilities: { buttons: true } });
    try {
      const [reply] = await tg.send("progress", { id: "tg1" });
      expect(reply?.choices?.map((c) => c.data)).toEqual(["pg:tick:account", "faq:topic:register-account", "pg:more"]);
    } finally {
      await tg.close();
    }
  });

  it("answers in Urdu script and Roman Urdu", async () => {
    const [ur] = await t.send("پیش رفت", { id: "s-ur" });
    expect(ur?.text).toContain("آپ کی لسٹنگ کی پیش رفت");
    expect(ur?.text).toContain("سیلر اکاؤنٹ بن گیا");
    const [rl] = await t.send("meri progress", { id: "s-rl" });
    expect(rl?.text).toContain("Aap ki listing progress");
  });

  it("answers the listing-progress topic handed over by the FAQ: the progress card, not the FAQ text", async () => {
    const [reply] = await t.send("which steps have I completed so far", { id: "s-handoff" });
    expect(reply?.text).toContain("Your listing progress");
    expect(reply?.text).not.toContain("You can keep track of your onboarding here");
  });
});

describe("tick and undo", () => {
  it("ticks a stage with a choice, storing history and the current state together", async () => {
    const id = await userIdOf(t, "s2");
    clock.set(new Date().toISOString());
    const at = clock.now();
    const [reply] = await t.send({ kind: "choice", data: "pg:tick:account" }, { id: "s2" });
    expect(reply?.text).toContain("Saved ✅ Seller account created");
    expect(reply?.text).toContain("✅ Seller account created");
    expect(reply?.text).toContain("Next step: Documents ready");
    expect(await events(id)).toMatchObject([{ stageId: "account", action: "tick", source: "seller", actorId: id }]);
    expect(await state(id)).toMatchObject({ reachedCount: 1, currentIndex: 0, lastChangeAt: at });
  });

  it("ticks by number on a channel without buttons", async () => {
    await t.send("progress", { id: "s3" });
    const [reply] = await t.send("1", { id: "s3" }); // first choice: tick the next step
    expect(reply?.text).toContain("Saved ✅ Seller account created");
  });

  it("refuses ticking a stage twice, nothing stored", async () => {
    const id = await userIdOf(t, "s2");
    const [reply] = await t.send({ kind: "choice", data: "pg:tick:account" }, { id: "s2" });
    expect(reply?.text).toContain("already ticked");
    expect(await events(id)).toHaveLength(1);
  });

  it("undoes a tick with an undo event; the state follows", async () => {
    const id = await userIdOf(t, "s2");
    await t.send({ kind: "choice", data: "pg:tick:documents" }, { id: "s2" });
    const [reply] = await t.send("undo", { id: "s2" });
    expect(reply?.text).toContain('Undone: "Documents ready"');
    expect((await events(id)).map((e) => `${e.action}:${e.stageId}`)).toEqual(["tick:account", "tick:documents", "undo:documents"]);
    expect(await state(id)).toMatchObject({ reachedCount: 1, currentIndex: 0 });
    const [again] = await t.send({ kind: "choice", data: "pg:undo:account" }, { id: "s2" });
    expect(again?.text).toContain("Undone");
    expect(await state(id)).toMatchObject({ reachedCount: 0, currentIndex: -1 });
    const [nothing] = await t.send("undo", { id: "s2" });
    expect(nothing?.text).toContain("nothing to undo");
  });
});

describe("free-text reports", () => {
  it("confirms a count before saving, then ticks every stage it reaches", async () => {
    const id = await userIdOf(t, "s4");
    const [ask] = await t.send("maine 12 products list kar diye", { id: "s4" });
    expect(ask?.text).toMatch(/12 products list kiye/);
    expect(ask?.text).toContain("Pehla product list ho gaya, 10 products list ho gaye");
    expect(await events(id)).toHaveLength(0);
    const [saved] = await t.send("1", { id: "s4" });
    expect(saved?.text).toContain("Save ho gaya");
    expect((await events(id)).map((e) => [e.stageId, e.count])).toEqual([["first-product", 12], ["ten-products", 12]]);
  });

  it("saves nothing when the seller says no", async () => {
    const id = await userIdOf(t, "s5");
    const [ask] = await t.send("I got my first inquiry", { id: "s5" });
    expect(ask?.text).toContain("First buyer inquiry answered");
    const [no] = await t.send({ kind: "choice", data: "pg:confirm:no" }, { id: "s5" });
    expect(no?.text).toContain("nothing saved");
    expect(await events(id)).toHaveLength(0);
  });

  it("understands Urdu script and Roman Urdu reports", async () => {
    const id = await userIdOf(t, "s6");
    const [ask] = await t.send("پہلا آرڈر مل گیا", { id: "s6" });
    expect(ask?.text).toContain("پہلا آرڈر مل گیا");
    await t.send("جی ہاں", { id: "s6" });
    expect((await events(id)).map((e) => e.stageId)).toEqual(["first-order"]);
    const [rl] = await t.send("pehla order mil gaya hai", { id: "s6b" });
    expect(rl?.text).toContain("Kya main yeh qadam mukammal likh doon");
  });

  it("leaves questions to the FAQ: the FAQ's answer comes, no offer to mark a step", async () => {
    const replies = await t.send("how long until I get my first order?", { id: "s7" });
    expect(texts(replies)).not.toContain("Shall I mark");
    expect(texts(replies)).toContain("There is no fixed time to the first order");
  });
});

describe("bad input", () => {
  it("refuses a forged stage id, nothing stored", async () => {
    const id = await userIdOf(t, "s8");
    for (const data of ["pg:tick:nope", "pg:tick:../../x", `pg:tick:${"a".repeat(60)}`, "pg:undo:nope", "pg:tick:"]) {
      const [reply] = await t.send({ kind: "choice", data }, { id: "s8" });
      expect(reply?.text).toMatch(/don't know that step|nothing to undo/);
    }
    expect(await events(id)).toHaveLength(0);
    expect(await state(id)).toBeNull();
  });

  it("answers -5 and a million products clearly, nothing stored", async () => {
    const id = await userIdOf(t, "s9");
    const [neg] = await t.send("I listed -5 products", { id: "s9" });
    expect(neg?.text).toContain("can't be negative");
    const [big] = await t.send("I listed a million products", { id: "s9" });
    expect(big?.text).toContain("too large");
    const [big2] = await t.send("I listed 2000000 products", { id: "s9" });
    expect(big2?.text).toContain("too large");
    expect(await events(id)).toHaveLength(0);
  });

  it("treats a stale confirmation button as stale", async () => {
    const [reply] = await t.send({ kind: "choice", data: "pg:confirm:yes" }, { id: "s10" });
    expect(reply?.text).toContain("no longer active");
  });
});
