import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignedPartnerId, partnerIdOfMember } from "../../src/features/partners/api.ts";
import { importPartners, parsePartnerCsv } from "../../src/features/partners/repository.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

const texts = (replies: Array<{ text: string }>) => replies.map((r) => r.text).join("\n---\n");

let t: TestApp;
const userId = async (id: string) =>
  (await t.database.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "console", externalId: id } } })).userId;
const partner = (name: string) => t.database.prisma.partner.findUniqueOrThrow({ where: { name } });

beforeAll(async () => {
  t = await createTestApp({ env: { SELLER_BOT_ADMINS: "console:admin1" } });
  const parsed = parsePartnerCsv(readFileSync(new URL("./fixtures/partners.csv", import.meta.url), "utf8"));
  if (!parsed.ok) throw new Error("fixture invalid");
  await importPartners(t.app.deps.db, t.database.provider, parsed.rows);
});
afterAll(async () => t.close());

describe("nearest partners by typed place", () => {
  it("answers a town name with the three nearest partners, contacts, a wa.me link and a map pin", async () => {
    const [reply] = await t.send("Sialkot", { id: "s1" });
    expect(reply!.text).toMatch(/Sialkot/);
    const order = ["Alpha Sialkot Agency", "Bravo Daska Agency", "Echo Gujranwala Agency"].map((n) => reply!.text.indexOf(n));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(reply!.text).toContain("https://wa.me/923000000001");
    expect(reply!.text).toContain("@alpha_sialkot");
    expect(reply!.text).toMatch(/\d+(\.\d)? km/);
    expect(reply!.location).toMatchObject({ latitude: 32.4927, longitude: 74.5313, name: "Alpha Sialkot Agency" });
    expect(reply!.text).toMatch(/1\. Choose Alpha Sialkot Agency/); // numbered choices on a channel without buttons
    const profile = await t.database.prisma.sellerProfile.findUniqueOrThrow({ where: { userId: await userId("s1") } });
    expect(profile).toMatchObject({ city: "Sialkot" });
  });

  it("understands a misspelling, Urdu script and Roman Urdu sentences", async () => {
    expect(texts(await t.send("sailkot", { id: "s2" }))).toMatch(/^Channel partners nearest to Sialkot[\s\S]*Alpha Sialkot Agency/);
    const urdu = texts(await t.send("سیالکوٹ", { id: "s3" }));
    expect(urdu).toContain("سیالکوٹ کے قریب ترین چینل پارٹنرز");
    expect(urdu).toContain("کلومیٹر");
    const roman = await t.send("mai daska se hun", { id: "s4" });
    expect(roman[0]!.text.indexOf("Bravo Daska Agency")).toBeLessThan(roman[0]!.text.indexOf("Alpha Sialkot Agency"));
    expect(roman[0]!.location?.latitude).toBe(32.3242);
  });

  it("finds AJK and Gilgit-Baltistan partners", async () => {
    expect((await t.send("I am in muzaffarabad", { id: "s5" }))[0]!.location?.name).toBe("Foxtrot Muzaffarabad Agency");
    expect((await t.send("nearest partner gilgit", { id: "s6" }))[0]!.location?.name).toBe("Golf Gilgit Agency");
  });

  it("filters by a product category when asked", async () => {
    await t.send("Lahore", { id: "s7" });
    const [reply] = await t.send("nearest partner for surgical instruments", { id: "s7" });
    expect(reply!.location?.name).toBe("Bravo Daska Agency");
    expect(reply!.text).not.toContain("Charlie Lahore Agency");
    expect(reply!.text).toContain("surgical instruments");
  });
});

describe("location pins and unknown places", () => {
  it("answers a location pin and remembers where the seller is", async () => {
    const [reply] = await t.send({ kind: "location", latitude: 24.9, longitude: 67.05 }, { id: "p1" });
    expect(reply!.text).toMatch(/nearest to your location/);
    expect(reply!.location?.name).toBe("Delta Karachi Agency");
    const profile = await t.database.prisma.sellerProfile.findUniqueOrThrow({ where: { userId: await userId("p1") } });
    expect(profile).toMatchObject({ latitude: 24.9, longitude: 67.05, city: "Karachi" });
    // Later "nearest partner" uses the stored location.
    expect((await t.send("nearest partner", { id: "p1" }))[0]!.location?.name).toBe("Delta Karachi Agency");
  });

  it("asks where the seller is, then explains how to share a pin on WhatsApp and Telegram for an unknown place", async () => {
    const [ask] = await t.send("nearest partner", { id: "u1" });
    expect(ask!.text).toMatch(/Which city or town/);
    const [unknown] = await t.send("Qwxzt", { id: "u1" });
    expect(unknown!.text).toContain('"Qwxzt"');
    expect(unknown!.text).toMatch(/WhatsApp: .*Location/);
    expect(unknown!.text).toMatch(/Telegram: .*Location/);
    const [found] = await t.send("gujranwala", { id: "u1" });
    expect(found!.location?.name).toBe("Echo Gujranwala Agency");
  });

  it("explains how to share a pin when a sender names an unknown town", async () => {
    const [reply] = await t.send("mai qwxztabad se hun", { id: "u3" });
    expect(reply!.text).toMatch(/could not find|nahi mila/);
    expect(reply!.text).toContain("Telegram");
  });

  it("explains in Urdu for an Urdu speaker", async () => {
    const [ask] = await t.send("قریبی پارٹنر", { id: "u2" });
    expect(ask!.text).toContain("لوکیشن");
    const [unknown] = await t.send("ققققق", { id: "u2" });
    expect(unknown!.text).toContain("واٹس ایپ");
    expect(unknown!.text).toContain("ٹیلیگرام");
  });
});

describe("choosing a partner, deep links and partner accounts", () => {
  it("lets an admin approve a partner account, then notifies it when a seller picks the partner", async () => {
    await t.send("hello", { id: "admin1" });
    const alpha = await partner("Alpha Sialkot Agency");
    const [req] = await t.send(`/partner ${alpha.code}`, { id: "staff1", displayName: "Staff One" });
    expect(req!.text).toMatch(/Request sent/);
    expect(await partnerIdOfMember(t.app.deps.db, await userId("staff1"))).toBeNull();
    const toAdmin = t.adapter.sent.filter((s) => s.chatId === "admin1").at(-1)!.message;
    expect(toAdmin.text).toMatch(/Staff One wants to act for Alpha Sialkot Agency/);

    // A seller cannot approve.
    const request = await t.database.prisma.partnerRequest.findFirstOrThrow({ where: { userId: await userId("staff1") } });
    expect(texts(await t.send({ kind: "choice", data: `pt:rq:approve:${request.id}` }, { id: "s1" }))).toMatch(/Only admins/);

    const [ok] = await t.send("1", { id: "admin1" }); // numbered choice: Approve
    expect(ok!.text).toMatch(/Approved: Staff One now acts for Alpha Sialkot Agency/);
    expect(await partnerIdOfMember(t.app.deps.db, await userId("staff1"))).toBe(alpha.id);
    const staff = await t.database.prisma.user.findUniqueOrThrow({ where: { id: await userId("staff1") } });
    expect(staff.role).toBe("partner");
    expect(t.adapter.sent.filter((s) => s.chatId === "staff1").at(-1)!.message.text).toMatch(/approved as a partner account/);

    // A seller picks the partner by number → assignment, confirmation, notice to the staff account.
    await t.send("Sialkot", { id: "seller9", displayName: "Seller Nine" });
    const [done] = await t.send("1", { id: "seller9" });
    expect(done!.text).toMatch(/Alpha Sialkot Agency is now your channel partner/);
    expect(await assignedPartnerId(t.app.deps.db, await userId("seller9"))).toBe(alpha.id);
    expect(t.adapter.sent.filter((s) => s.chatId === "staff1").at(-1)!.message.text).toMatch(/Seller Nine \(Sialkot\) chose Alpha Sialkot Agency/);

    // Picking another replaces the assignment.
    const bravo = await partner("Bravo Daska Agency");
    await t.send({ kind: "choice", data: `pt:pick:${bravo.id}` }, { id: "seller9" });
    expect(await assignedPartnerId(t.app.deps.db, await userId("seller9"))).toBe(bravo.id);
    expect(await t.database.prisma.sellerAssignment.count({ where: { sellerId: await userId("seller9") } })).toBe(1);
  });

  it("still confirms to the seller when the partner's notice cannot be sent", async () => {
    const alpha = await partner("Alpha Sialkot Agency");
    t.adapter.failWith = (chatId) => {
      if (chatId === "staff1") throw new Error("network down");
    };
    try {
      const [done] = await t.send({ kind: "choice", data: `pt:pick:${alpha.id}` }, { id: "seller10" });
      expect(done!.text).toMatch(/is now your channel partner/);
    } finally {
      t.adapter.failWith = undefined;
    }
  });

  it("assigns the partner of a Telegram deep link /start p_<code>", async () => {
    const charlie = await partner("Charlie Lahore Agency");
    const [reply] = await t.send(`/start p_${charlie.code}`, { id: "dl1" });
    expect(reply!.text).toMatch(/Charlie Lahore Agency is now your channel partner/);
    expect(await assignedPartnerId(t.app.deps.db, await userId("dl1"))).toBe(charlie.id);
    expect(texts(await t.send("/start p_nosuchcode", { id: "dl2" }))).toMatch(/not valid/);
    expect(await assignedPartnerId(t.app.deps.db, await userId("dl2"))).toBeNull();
  });

  it("talk-to-human hands over to a person (docs/handover.md); 'my partner' shows the partner's contacts", async () => {
    // Charlie has no bot account, so the handover feature passes the seller to the admins.
    const [handed] = await t.send("I want to talk to a real person", { id: "dl1" });
    expect(handed!.text).toMatch(/^I've passed this to the programme team\./);
    const [mine] = await t.send({ kind: "choice", data: "pt:mine" }, { id: "dl1" });
    expect(mine!.text).toMatch(/Your channel partner:\nCharlie Lahore Agency, Lahore/);
    expect(mine!.text).toContain("https://wa.me/923000000003");
  });
});
