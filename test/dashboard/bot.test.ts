/**
 * The bot side: `/dashboard` (and the menu entry) gives partners and admins a one-time
 * link in their language, never in a group, never to sellers; `seller-bot dashboard link`
 * prints one URL line. Links are then opened on the real HTTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess } from "../support/cli.ts";
import { createDashboardTest, makePartner, type DashboardTest } from "./helpers.ts";

let dt: DashboardTest;
let partner: Awaited<ReturnType<typeof makePartner>>;
const URL_RE = /http:\/\/127\.0\.0\.1:\d+\/dashboard\/login\?token=[A-Za-z0-9_-]{43}/;

beforeAll(async () => {
  dt = await createDashboardTest({ env: { SELLER_BOT_ADMINS: "console:boss" } });
  partner = await makePartner(dt, "Gujranwala Gloves Hub", "Gujranwala");
});
afterAll(async () => dt.close());

const urlIn = (text: string) => URL_RE.exec(text)?.[0];
const onServer = (url: string) => `${dt.base}${new URL(url).pathname}${new URL(url).search}`;

describe("/dashboard in the bot", () => {
  it("gives a partner a one-time link to their own sellers", async () => {
    const [reply] = await dt.t.send("/dashboard", { id: partner.memberExternalId });
    const url = urlIn(reply!.text);
    expect(url, reply?.text).toBeDefined();
    expect(reply!.text).toContain("10 minutes");
    const cookie = await dt.login(onServer(url!));
    expect(await (await dt.get("/dashboard", cookie)).text()).toContain("Gujranwala Gloves Hub");
    expect((await fetch(onServer(url!), { redirect: "manual" })).status).toBe(401); // once only
  });

  it("gives an admin a link to everything, from the menu entry too", async () => {
    const [menu] = await dt.t.send("menu", { id: "boss" });
    expect(menu!.text).toContain("Open the dashboard"); // a numbered line on the console
    const [reply] = await dt.t.send({ kind: "choice", data: "dash:link" }, { id: "boss" });
    const cookie = await dt.login(onServer(urlIn(reply!.text)!));
    expect(await (await dt.get("/dashboard/partners", cookie)).text()).toContain("Partners side by side");
  });

  it("answers in the user's language, and the page opens in it", async () => {
    await dt.db.user.update({ where: { id: partner.memberId }, data: { language: "ur", languageExplicit: true } });
    try {
      const [reply] = await dt.t.send("/dashboard", { id: partner.memberExternalId });
      expect(reply!.text).toContain("ڈیش بورڈ کا لنک");
      const cookie = await dt.login(onServer(urlIn(reply!.text)!));
      expect(await (await dt.get("/dashboard", cookie)).text()).toContain('<html lang="ur" dir="rtl">');
    } finally {
      await dt.db.user.update({ where: { id: partner.memberId }, data: { language: "en", languageExplicit: false } });
    }
  });

  it("never posts a link in a group", async () => {
    const replies = await dt.t.send("/dashboard", { id: partner.memberExternalId, chat: { id: "group-1", kind: "group" } });
    // Groups hear the bot only when addressed; /commands are. Either way: no link.
    expect(replies.map((r) => r.text).join("\n")).not.toMatch(URL_RE);
    const addressed = dt.t.inbound("/dashboard", { id: partner.memberExternalId, chat: { id: "group-2", kind: "group" } });
    const before = dt.t.adapter.sent.length;
    await dt.t.adapter.receive({ ...addressed, addressedToBot: true });
    const sent = dt.t.adapter.sent.slice(before).map((s) => s.message.text).join("\n");
    expect(sent).toContain("private chat");
    expect(sent).not.toMatch(URL_RE);
  });

  it("tells a seller it is for partners; a seller's plain \"dashboard\" goes on to the FAQ", async () => {
    const [reply] = await dt.t.send("/dashboard", { id: "some-seller" });
    expect(reply!.text).toContain("for channel partners");
    expect(reply!.text).not.toMatch(URL_RE);
    const [faq] = await dt.t.send("dashboard", { id: "some-seller" });
    expect(faq!.text).not.toContain("for channel partners");
    expect((await dt.t.send("menu", { id: "some-seller" }))[0]!.text).not.toContain("Open the dashboard");
  });

  it("a partner account not approved yet gets no link", async () => {
    const pending = await dt.db.user.create({ data: { role: "partner", identities: { create: { channel: "console", externalId: "pending-staff" } } } });
    const [reply] = await dt.t.send("/dashboard", { id: "pending-staff" });
    expect(reply!.text).toContain("not approved yet");
    expect(await dt.db.dashboardLoginToken.count({ where: { userId: pending.id } })).toBe(0);
  });
});

describe("seller-bot dashboard link", () => {
  it("--admin prints one line: the login URL", async () => {
    const r = await runCliInProcess(dt.t.database.url, ["dashboard", "link", "--admin"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:8080\/dashboard\/login\?token=[A-Za-z0-9_-]{43}\n$/);
    expect(await dt.login(onServer(r.stdout.trim()))).toMatch(/^seller_bot_dashboard=/);
  });

  it("--partner NAME opens that partner's view", async () => {
    const r = await runCliInProcess(dt.t.database.url, ["dashboard", "link", "--partner", "gujranwala gloves hub"]);
    expect(r.code).toBe(0);
    const cookie = await dt.login(onServer(r.stdout.trim()));
    expect(await (await dt.get("/dashboard", cookie)).text()).toContain("Gujranwala Gloves Hub");
    expect((await dt.get("/dashboard/partners", cookie)).status).toBe(404);
  });

  it("bad arguments: one line on stderr, exit 2, nothing written", async () => {
    const before = await dt.db.dashboardLoginToken.count();
    for (const args of [["dashboard"], ["dashboard", "link"], ["dashboard", "link", "--admin", "--partner", "X"], ["dashboard", "link", "--partner"], ["dashboard", "link", "--partner", "Nobody Such"], ["dashboard", "link", "--bogus"]]) {
      const r = await runCliInProcess(dt.t.database.url, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.length).toBeGreaterThan(0);
    }
    expect(await dt.db.dashboardLoginToken.count()).toBe(before);
  });
});
