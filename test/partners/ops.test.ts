/**
 * Partners' and admins' daily work: no partner offered thousands of km away (the distance
 * limit and the programme team), working contact links in the new-seller notice,
 * deactivating a partner (hidden, its sellers told and offered the nearest active one),
 * pending requests listed for admins and kept for the first admin, and the CLI's approval
 * telling the staff member.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { nearestPartners } from "../../src/features/partners/directory.ts";
import { approveMemberByIdentity, queueDecisionNotice } from "../../src/features/partners/membership.ts";
import { importPartners, parsePartnerCsv } from "../../src/features/partners/repository.ts";
import { setPartnerActive } from "../../src/features/partners/status.ts";
import { createOutboxWorker } from "../../src/features/broadcasts/worker.ts";
import type { ChannelId } from "../../src/core/types.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { runCliInProcess } from "../support/cli.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(options: { env?: Record<string, string>; channel?: ChannelId } = {}) {
  // Buttons, so that choices stay choices (not numbered lines of text) in what was sent.
  t = await createTestApp({ env: { SELLER_BOT_ADMINS: "console:admin1", ...options.env }, channel: options.channel, capabilities: { buttons: true } });
  const parsed = parsePartnerCsv(readFileSync(new URL("./fixtures/partners.csv", import.meta.url), "utf8"));
  if (!parsed.ok) throw new Error("fixture invalid");
  await importPartners(t.app.deps.db, t.database.provider, parsed.rows);
  return t;
}
const en = () => t!.app.deps.i18n.t("en");
const userOf = async (channel: string, externalId: string) =>
  (await t!.app.deps.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel, externalId } } })).userId;

describe("nearest partner has a distance limit", () => {
  it("a pin in London: no partner is near, the nearest with its distance, and the programme team instead of picks", async () => {
    const { app } = await setup();
    await t!.send("hello", { id: "admin1" });
    const [reply] = await t!.send({ kind: "location", latitude: 51.5072, longitude: -0.1276 }, { id: "s1", displayName: "Sam" });
    expect(reply!.text).toContain(en()("partners:far.headerPin", { max: 150 }));
    expect(reply!.text).toMatch(/The nearest one is .+: \d{4} km away\./);
    expect(reply!.text).not.toContain(en()("partners:find.pick"));
    expect(reply!.choices?.map((c) => c.data)).toEqual(["pt:team"]);

    const mark = t!.adapter.sent.length;
    const [asked] = await t!.send({ kind: "choice", data: "pt:team" }, { id: "s1" });
    expect(asked!.text).toBe(en()("partners:far.teamAsked"));
    const toAdmin = t!.adapter.sent.slice(mark).filter((s) => s.chatId === "admin1");
    expect(toAdmin).toHaveLength(1);
    expect(toAdmin[0]!.message.text).toContain("Sam");
    expect(app.deps.config.partnerMaxDistanceKm).toBe(150);
  });

  it("a typed town within the limit lists partners as before; PARTNER_MAX_DISTANCE_KM moves the limit", async () => {
    await setup();
    expect((await t!.send("Sialkot", { id: "s2" }))[0]!.text).toContain(en()("partners:find.pick"));
    // Multan: the nearest partner is in Lahore, about 300 km away.
    const [far] = await t!.send("Multan", { id: "s3" });
    expect(far!.text).toContain(en()("partners:far.header", { place: "Multan", max: 150 }));
    expect(far!.text).toMatch(/The nearest one is Charlie Lahore Agency, Lahore: \d{3} km away\./);
    await t!.close();
    await setup({ env: { PARTNER_MAX_DISTANCE_KM: "500" } });
    expect((await t!.send("Multan", { id: "s3" }))[0]!.text).toContain(en()("partners:find.pick"));
  });

  it("a bad /loc gets the usage hint, not partners", async () => {
    await setup();
    const [reply] = await t!.send({ kind: "unsupported", what: "invalid-location" }, { id: "s4" });
    expect(reply!.text).toBe(en()("common:invalidLocation"));
  });
});

describe("the new-seller notice gives links that work", () => {
  it("WhatsApp sellers: https://wa.me/<number>; Telegram sellers: tg://user?id=", async () => {
    for (const [channel, seller, link] of [
      ["whatsapp", "923001112233@s.whatsapp.net", "https://wa.me/923001112233"],
      ["telegram", "1003", "tg://user?id=1003"],
    ] as const) {
      await setup({ channel, env: { SELLER_BOT_ADMINS: "" } });
      const db = t!.app.deps.db;
      const alpha = await db.partner.findUniqueOrThrow({ where: { name: "Alpha Sialkot Agency" } });
      const staffChat = channel === "whatsapp" ? "923009990000@s.whatsapp.net" : "2001";
      const staff = await db.user.create({ data: { role: "partner", identities: { create: { channel, externalId: staffChat } } } });
      await db.partnerMember.create({ data: { userId: staff.id, partnerId: alpha.id, status: "approved" } });
      await t!.send({ kind: "choice", data: `pt:pick:${alpha.id}` }, { id: seller, displayName: "Nadia" });
      const notice = t!.adapter.sent.find((s) => s.chatId === staffChat)!.message.text;
      expect(notice).toContain(`Contact: ${link}`);
      expect(notice).not.toContain("Telegram id");
      await t!.close();
      t = undefined;
    }
  });
});

describe("deactivating a partner", () => {
  it("hides it from the finder, tells its sellers and offers the nearest active partner; activate brings it back", async () => {
    const { app } = await setup();
    const db = app.deps.db;
    await t!.send("Sialkot", { id: "s5" });
    const alpha = await db.partner.findUniqueOrThrow({ where: { name: "Alpha Sialkot Agency" } });
    await t!.send({ kind: "choice", data: `pt:pick:${alpha.id}` }, { id: "s5" });

    // A seller of Alpha's whose last pin was in London: no partner near, the programme team instead.
    await t!.send({ kind: "choice", data: `pt:pick:${alpha.id}` }, { id: "s7" });
    await t!.send({ kind: "location", latitude: 51.5072, longitude: -0.1276 }, { id: "s7" });
    const result = await setPartnerActive(app.deps, "alpha sialkot agency", false);
    expect(result).toMatchObject({ ok: true, changed: true, notified: 2 });
    const near = await nearestPartners(db, { latitude: alpha.latitude, longitude: alpha.longitude, limit: 3 });
    expect(near.map((p) => p.name)).not.toContain("Alpha Sialkot Agency");
    expect((await t!.send("Sialkot", { id: "s6" }))[0]!.text).not.toContain("Alpha Sialkot Agency");

    const mark = t!.adapter.sent.length;
    await createOutboxWorker(app.deps).drain();
    const notice = t!.adapter.sent.slice(mark).find((s) => s.chatId === "s5")!.message;
    expect(notice.text).toContain("Alpha Sialkot Agency is no longer taking sellers");
    expect(notice.text).toContain(near[0]!.name);
    expect(notice.choices?.[0]?.data).toBe(`pt:pick:${near[0]!.id}`);
    const abroad = t!.adapter.sent.slice(mark).find((s) => s.chatId === "s7")!.message;
    expect(abroad.text).toContain(en()("partners:inactive.noticeFar", { partner: "Alpha Sialkot Agency" }));
    expect(abroad.choices?.map((c) => c.data)).toEqual(["pt:team"]);
    expect((await t!.send("my partner", { id: "s5" }))[0]!.text).toBe(en()("partners:mine.inactive", { partner: "Alpha Sialkot Agency" }));
    // A second deactivate changes nothing and tells nobody again.
    expect(await setPartnerActive(app.deps, "Alpha Sialkot Agency", false)).toMatchObject({ ok: true, changed: false, notified: 0 });
    expect(await setPartnerActive(app.deps, "Nobody Agency", false)).toMatchObject({ ok: false });

    await setPartnerActive(app.deps, String(alpha.id), true);
    expect((await t!.send("Sialkot", { id: "s6" }))[0]!.text).toContain("Alpha Sialkot Agency");
  });
});

describe("pending partner requests", () => {
  it("a request made before any admin wrote is kept, told to the first admin, listed with Approve / Reject", async () => {
    const { app } = await setup();
    const db = app.deps.db;
    const bravo = await db.partner.findUniqueOrThrow({ where: { name: "Bravo Daska Agency" } });
    await t!.send(`/partner ${bravo.code}`, { id: "staff1", displayName: "Staff One" });
    expect(await db.partnerRequest.count({ where: { status: "pending" } })).toBe(1);

    const first = await t!.send("hello", { id: "admin1" });
    expect(first.at(-1)!.text).toBe(en()("partners:requests.waiting", { count: 1 }));
    // Once: the next message is answered without it.
    expect((await t!.send("hello", { id: "admin1" })).map((r) => r.text)).not.toContain(en()("partners:requests.waiting", { count: 1 }));

    const [list] = await t!.send("/requests", { id: "admin1" });
    expect(list!.text).toContain("Staff One wants to act for Bravo Daska Agency");
    expect(list!.choices).toHaveLength(2);
    const [approved] = await t!.send({ kind: "choice", data: list!.choices![0]!.data }, { id: "admin1" });
    expect(approved!.text).toMatch(/Approved: Staff One now acts for Bravo Daska Agency/);
    expect((await t!.send("/requests", { id: "admin1" }))[0]!.text).toBe(en()("partners:requests.none"));
    expect((await t!.send("/requests", { id: "staff2" }))[0]!.text).toBe(en()("partners:member.notAdmin"));
  });

  it("approving from the CLI queues a notice to the staff member, once", async () => {
    const { app } = await setup();
    const db = app.deps.db;
    const charlie = await db.partner.findUniqueOrThrow({ where: { name: "Charlie Lahore Agency" } });
    await t!.send(`/partner ${charlie.code}`, { id: "staff3" });
    const result = await approveMemberByIdentity(db, "Charlie Lahore Agency", "console", "staff3");
    if (!result.ok || !result.decision) throw new Error("not approved");
    expect(await queueDecisionNotice(app.deps, result.decision, "approve")).toBe(1);
    expect(await queueDecisionNotice(app.deps, result.decision, "approve")).toBe(0);
    const mark = t!.adapter.sent.length;
    await createOutboxWorker(app.deps).drain();
    const got = t!.adapter.sent.slice(mark).filter((s) => s.chatId === "staff3");
    expect(got).toHaveLength(1);
    expect(got[0]!.message.text).toContain(en()("partners:member.youApproved", { partner: "Charlie Lahore Agency" }));
    expect((await db.user.findUniqueOrThrow({ where: { id: await userOf("console", "staff3") } })).role).toBe("partner");
  });
});

describe("the partners CLI for an admin's day", () => {
  it("deactivate / activate by name or id, requests, and approve queues the staff member's notice", async () => {
    const { app } = await setup();
    const db = app.deps.db;
    const cli = (args: string[]) => runCliInProcess(t!.database.url, ["partners", ...args]);
    await t!.send("Sialkot", { id: "s9" });
    const alpha = await db.partner.findUniqueOrThrow({ where: { name: "Alpha Sialkot Agency" } });
    await t!.send({ kind: "choice", data: `pt:pick:${alpha.id}` }, { id: "s9" });

    const off = await cli(["deactivate", "Alpha", "Sialkot", "Agency", "--json"]);
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout)).toEqual({ name: "Alpha Sialkot Agency", active: false, changed: true, sellersTold: 1 });
    expect((await db.partner.findUniqueOrThrow({ where: { id: alpha.id } })).active).toBe(false);
    expect((await cli(["activate", String(alpha.id)])).stdout).toContain("active again");
    expect((await cli(["deactivate", "No Such Agency"])).code).toBe(2);

    const charlie = await db.partner.findUniqueOrThrow({ where: { name: "Charlie Lahore Agency" } });
    expect((await cli(["requests"])).stdout).toContain("No partner account requests are waiting.");
    await t!.send(`/partner ${charlie.code}`, { id: "staff9", displayName: "Staff Nine" });
    const listed = await cli(["requests"]);
    expect(listed.stdout).toContain("Staff Nine → Charlie Lahore Agency");
    expect(listed.stdout).toContain('seller-bot partners approve "Charlie Lahore Agency" --user console:staff9');
    expect(JSON.parse((await cli(["requests", "--json"])).stdout)).toMatchObject([{ user: "Staff Nine", partner: "Charlie Lahore Agency" }]);

    const approved = await cli(["approve", "Charlie Lahore Agency", "--user", "console:staff9"]);
    expect(approved.code).toBe(0);
    const mark = t!.adapter.sent.length;
    await createOutboxWorker(app.deps).drain();
    const got = t!.adapter.sent.slice(mark).filter((s) => s.chatId === "staff9");
    expect(got).toHaveLength(1);
    expect(got[0]!.message.text).toContain(en()("partners:member.youApproved", { partner: "Charlie Lahore Agency" }));
    // The seller of the deactivated partner got their notice in the same run.
    expect(t!.adapter.sent.slice(mark).some((s) => s.chatId === "s9" && s.message.text.includes("no longer taking sellers"))).toBe(true);
  });
});
