import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { runProgress } from "../../src/features/progress/cli.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { assign, createClock, createPartner, userIdOf } from "./helpers.ts";

let t: TestApp;
const clock = createClock();
let p1: { partnerId: number; memberId: number };
let p2: { partnerId: number; memberId: number };
const sellers: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp({ now: clock.now });
  p1 = await createPartner(t, "member1", "Sialkot");
  p2 = await createPartner(t, "member2", "Lahore");
  for (const [name, partner] of [["Ali Sports", p1], ["Bilal Surgical", p1], ["Ayesha Leather", p1], ["Other Seller", p2]] as const) {
    const id = await userIdOf(t, name.replace(" ", "-"), name);
    sellers[name] = id;
    await assign(t, id, partner.partnerId);
  }
  await t.database.prisma.user.update({ where: { id: sellers["Ali Sports"]! }, data: { displayName: "Ali Sports" } });
  await t.database.prisma.sellerProfile.create({ data: { userId: sellers["Ali Sports"]!, city: "Sialkot" } });
  await t.database.prisma.sellerProfile.create({ data: { userId: sellers["Other Seller"]!, city: "Lahore" } });
  // Ali ticks two stages, Bilal one; Ayesha never starts.
  await t.send({ kind: "choice", data: "pg:tick:account" }, { id: "Ali-Sports" });
  await t.send({ kind: "choice", data: "pg:tick:documents" }, { id: "Ali-Sports" });
  await t.send({ kind: "choice", data: "pg:tick:account" }, { id: "Bilal-Surgical" });
  await t.send({ kind: "choice", data: "pg:tick:account" }, { id: "Other-Seller" });
});
afterAll(async () => t.close());

describe("partner summary", () => {
  it("counts only the partner's own sellers at their furthest stage", async () => {
    const [reply] = await t.send("progress", { id: "member1" });
    expect(reply?.text).toContain("Your sellers (3)");
    expect(reply?.text).toContain("Not started: 1");
    expect(reply?.text).toContain("Seller account created: 1");
    expect(reply?.text).toContain("Documents ready: 1");
    const [other] = await t.send("my sellers", { id: "member2" });
    expect(other?.text).toContain("Your sellers (1)");
  });

  it("follows a reassignment at once", async () => {
    await assign(t, sellers["Ayesha Leather"]!, p2.partnerId);
    const [reply] = await t.send("progress", { id: "member1" });
    expect(reply?.text).toContain("Your sellers (2)");
    await assign(t, sellers["Ayesha Leather"]!, p1.partnerId);
  });

  it("tells an unapproved partner why nothing is shown", async () => {
    const id = await userIdOf(t, "pending-member");
    await t.database.prisma.user.update({ where: { id }, data: { role: "partner" } });
    await t.database.prisma.partnerMember.create({ data: { userId: id, partnerId: p1.partnerId, status: "pending" } });
    const [reply] = await t.send("progress", { id: "pending-member" });
    expect(reply?.text).toContain("not approved yet");
  });
});

describe("stuck sellers", () => {
  it("lists sellers with no change in N days, longest first", async () => {
    clock.advanceDays(20);
    const ali = sellers["Ali Sports"]!;
    await t.send({ kind: "choice", data: "pg:tick:verified" }, { id: "Ali-Sports" }); // Ali moves today
    const [reply] = await t.send("stuck 14", { id: "member1" });
    expect(reply?.text).toContain("2 sellers with no progress for 14+ days");
    expect(reply?.text).toContain(`#${sellers["Bilal Surgical"]}`);
    expect(reply?.text).toContain(`#${sellers["Ayesha Leather"]}`);
    expect(reply?.text).not.toContain(`#${ali} `);
    expect(reply?.text).not.toContain(`#${sellers["Other Seller"]} `);
    const [none] = await t.send("stuck 30", { id: "member1" });
    expect(none?.text).toContain("Nobody is stuck");
  });

  it("refuses a bad number of days", async () => {
    for (const text of ["stuck -5", "stuck a million", "stuck 9999"]) {
      const [reply] = await t.send(text, { id: "member1" });
      expect(reply?.text).toContain("from 1 to 365");
    }
  });
});

describe("one seller's history", () => {
  it("shows the history by id and by name, with dates and sources", async () => {
    const ali = sellers["Ali Sports"]!;
    const [byId] = await t.send(`seller ${ali}`, { id: "member1" });
    expect(byId?.text).toContain(`#${ali} Ali Sports: 3/8 steps`);
    expect(byId?.text).toMatch(/✅ Documents ready \(\d{4}-\d\d-\d\d\)/);
    expect(byId?.text).toContain("✅ Business verified (by the seller)");
    const [byName] = await t.send("seller ali", { id: "member1" });
    expect(byName?.text).toContain(`#${ali} Ali Sports`);
  });

  it("lets the partner mark the next step, recorded as by the partner", async () => {
    const bilal = sellers["Bilal Surgical"]!;
    const [reply] = await t.send({ kind: "choice", data: `pg:mark:${bilal}:documents` }, { id: "member1" });
    expect(reply?.text).toContain("Saved for #");
    const last = await t.database.prisma.progressEvent.findFirstOrThrow({ where: { sellerId: bilal }, orderBy: { id: "desc" } });
    expect(last).toMatchObject({ stageId: "documents", source: "partner", actorId: p1.memberId });
  });

  it("refuses someone else's seller, by id, name, button or mark, showing and storing nothing", async () => {
    const other = sellers["Other Seller"]!;
    const before = await t.database.prisma.progressEvent.count();
    for (const message of [`seller ${other}`, "seller Other", "seller 999999"]) {
      const [reply] = await t.send(message, { id: "member1" });
      expect(reply?.text).toContain("not one of your sellers");
      expect(reply?.text).not.toContain("Other Seller");
    }
    for (const data of [`pg:seller:${other}`, `pg:mark:${other}:documents`, "pg:seller:abc", "pg:mark:1:nope"]) {
      const [reply] = await t.send({ kind: "choice", data }, { id: "member1" });
      expect(reply?.text).toMatch(/not one of your sellers|don't know that step/);
    }
    expect(await t.database.prisma.progressEvent.count()).toBe(before);
  });

  it("does not let a seller use partner commands", async () => {
    const replies = await t.send(`seller ${sellers["Ali Sports"]}`, { id: "Bilal-Surgical" });
    // An answer comes (not silence), and it says nothing about that seller.
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.map((r) => r.text).join("\n")).not.toContain("Ali Sports");
    // A seller's "seller N" is not a command for them: it goes on to the FAQ like any text.
    expect(replies[0]!.text.startsWith(t.app.deps.i18n.t("en")("faq:didYouMean"))).toBe(true);
  });
});

describe("admin view", () => {
  it("sees everyone, by city and by partner", async () => {
    const admin = await userIdOf(t, "admin1");
    await t.database.prisma.user.update({ where: { id: admin }, data: { role: "admin" } });
    const [summary] = await t.send("progress", { id: "admin1" });
    // Sellers: Ali (verified), Bilal (documents), Ayesha (none), Other (account); staff left out.
    expect(summary?.text).toContain("All sellers (4)");
    expect(summary?.text).toMatch(/Not started: 1\nSeller account created: 1\nDocuments ready: 1\nBusiness verified: 1\nStorefront set up: 0/);
    const [byCity] = await t.send({ kind: "choice", data: "pg:by:city" }, { id: "admin1" });
    expect(byCity?.text).toContain("Sialkot: 1 sellers");
    expect(byCity?.text).toContain("Lahore: 1 sellers");
    expect(byCity?.text).toContain("(city not known)");
    const [byPartner] = await t.send({ kind: "choice", data: "pg:by:partner" }, { id: "admin1" });
    expect(byPartner?.text).toMatch(/Test Partner 1 member1: 3 sellers/);
    const [other] = await t.send(`seller ${sellers["Other Seller"]}`, { id: "admin1" });
    expect(other?.text).toContain("Other Seller");
  });
});

describe("export", () => {
  const run = async (argv: string[]) => {
    let out = "";
    let err = "";
    const sink = (fn: (s: string) => void) => new Writable({ write: (chunk, _e, cb) => (fn(String(chunk)), cb()) });
    const config = loadConfig({ DATABASE_URL: t.database.url, LOG_LEVEL: "silent" });
    const code = await runProgress(argv, { stdin: process.stdin, stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), config });
    return { code, out, err };
  };

  it("writes one CSV row per seller with each stage's date", async () => {
    const { code, out } = await run(["export", "--partner", String(p1.partnerId)]);
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe("seller_id,name,city,partner_id,partner,current_stage,stages_reached,account_at,documents_at,verified_at,storefront_at,first-product_at,ten-products_at,first-inquiry_at,first-order_at,last_change_at");
    expect(lines).toHaveLength(4);
    const ali = lines.find((l) => l.startsWith(`${sellers["Ali Sports"]},`))!.split(",");
    expect(ali.slice(1, 7)).toEqual(["Ali Sports", "Sialkot", String(p1.partnerId), `Test Partner 1 member1`, "verified", "3"]);
    expect(ali[7]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(ali[10]).toBe("");
  });

  it("writes JSON for everyone and refuses bad arguments", async () => {
    const { code, out } = await run(["export", "--format", "json"]);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as Array<{ sellerId: number }>;
    expect(rows.map((r) => r.sellerId)).toEqual(expect.arrayContaining(Object.values(sellers)));
    for (const argv of [["export", "--format", "xls"], ["export", "--partner", "-5"], ["export", "--partner", "abc"], ["export", "--bogus"], ["import"], ["export", "--partner", "99999"]]) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.out).toBe("");
    }
  });
});

describe("boundaries", () => {
  it("leaves a partner's FAQ question that starts with 'seller' to the FAQ", async () => {
    const replies = await t.send("seller account kaise banaye?", { id: "member1" });
    expect(replies.map((r) => r.text).join("\n")).not.toContain("not one of your sellers");
  });

  it("shows nothing in a group, only a pointer to the private chat", async () => {
    const message = { ...t.inbound("/progress", { id: "member1", chat: { id: "group-1", kind: "group" } }), addressedToBot: true };
    const before = t.adapter.sent.length;
    await t.adapter.receive(message);
    const sent = t.adapter.sent.slice(before).map((s) => s.message.text).join("\n");
    expect(sent).toMatch(/only in a private chat|sirf private chat/);
    expect(sent).not.toContain("Your sellers");
  });
});

describe("forged checklist buttons", () => {
  it("a partner pressing a seller's checklist buttons records nothing for themselves and gets their own view", async () => {
    for (const data of ["pg:tick:account", "pg:undo:account", "pg:more"]) {
      const [reply] = await t.send({ kind: "choice", data }, { id: "member1" });
      expect(reply?.text, data).toMatch(/Your sellers \(3\)|Aap ke sellers \(3\)/);
    }
    expect(await t.database.prisma.progressEvent.count({ where: { sellerId: p1.memberId } })).toBe(0);
    expect(await t.database.prisma.sellerProgress.count({ where: { sellerId: p1.memberId } })).toBe(0);
  });
});
