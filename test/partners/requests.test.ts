/**
 * Partner account requests (`/partner CODE`): each request is its own row whose partner
 * never changes, the admin's buttons name that row, and repeats do not flood admins.
 */
import { readFileSync } from "node:fs";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTestSettings } from "../../src/config.ts";
import { listMigrations } from "../../src/db/migrate.ts";
import { partnerIdOfMember } from "../../src/features/partners/api.ts";
import { approveMemberByIdentity } from "../../src/features/partners/membership.ts";
import { importPartners, parsePartnerCsv } from "../../src/features/partners/repository.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { runCliInProcess } from "../support/cli.ts";
import { testProvider } from "../support/database.ts";

let t: TestApp;
const db = () => t.database.prisma;
const userId = async (id: string) => (await db().channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "console", externalId: id } } })).userId;
const partner = (name: string) => db().partner.findUniqueOrThrow({ where: { name } });
/** The messages the admin got since `from` (index into adapter.sent). */
const toAdmin = (from: number) => t.adapter.sent.slice(from).filter((s) => s.chatId === "admin1").map((s) => s.message);
const buttonData = (message: { choices?: Array<{ data: string }> }, index: number) => message.choices![index]!.data;

beforeAll(async () => {
  // Buttons, as on Telegram: each notice keeps its own Approve / Reject data.
  t = await createTestApp({ env: { SELLER_BOT_ADMINS: "console:admin1,console:admin2" }, capabilities: { buttons: true } });
  const parsed = parsePartnerCsv(readFileSync(new URL("./fixtures/partners.csv", import.meta.url), "utf8"));
  if (!parsed.ok) throw new Error("fixture invalid");
  await importPartners(t.app.deps.db, t.database.provider, parsed.rows);
  await t.send("hello", { id: "admin1" });
  await t.send("hello", { id: "admin2" });
});
afterAll(async () => t.close());

describe("partner account requests", () => {
  it("approving the first notice grants the partner it named, even after a second request for another partner", async () => {
    const alpha = await partner("Alpha Sialkot Agency");
    const bravo = await partner("Bravo Daska Agency");
    const mark = t.adapter.sent.length;
    await t.send(`/partner ${alpha.code}`, { id: "staff1", displayName: "Staff One" });
    await t.send(`/partner ${bravo.code}`, { id: "staff1", displayName: "Staff One" });
    const notices = toAdmin(mark);
    expect(notices).toHaveLength(2);
    expect(notices[0]!.text).toContain("Alpha Sialkot Agency");
    expect(notices[1]!.text).toContain("Bravo Daska Agency");

    const [ok] = await t.send({ kind: "choice", data: buttonData(notices[0]!, 0) }, { id: "admin1" });
    expect(ok!.text).toMatch(/Approved: Staff One now acts for Alpha Sialkot Agency/);
    expect(await partnerIdOfMember(t.app.deps.db, await userId("staff1"))).toBe(alpha.id);

    // The other request was closed by the approval: its button grants nothing now.
    const [late] = await t.send({ kind: "choice", data: buttonData(notices[1]!, 0) }, { id: "admin2" });
    expect(late!.text).toBe(t.app.deps.i18n.t("en")("partners:member.gone"));
    expect(await partnerIdOfMember(t.app.deps.db, await userId("staff1"))).toBe(alpha.id);
    // Each request stayed a row of its own with its own partner.
    const rows = await db().partnerRequest.findMany({ where: { userId: await userId("staff1") }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.partnerId, r.status])).toEqual([[alpha.id, "approved"], [bravo.id, "closed"]]);
  });

  it("sends one notice per pending request however often it is repeated", async () => {
    const charlie = await partner("Charlie Lahore Agency");
    const mark = t.adapter.sent.length;
    for (let i = 0; i < 4; i++) await t.send(`/partner ${charlie.code}`, { id: "staff2", displayName: "Staff Two" });
    expect(toAdmin(mark)).toHaveLength(1);
    const replies = t.adapter.sent.slice(mark).filter((s) => s.chatId === "staff2").map((s) => s.message.text);
    expect(replies.slice(1).every((r) => r === t.app.deps.i18n.t("en")("partners:member.alreadyPending", { partner: charlie.name }))).toBe(true);
  });

  it("caps how many partners one account can ask for at once", async () => {
    const names = ["Delta Karachi Agency", "Echo Gujranwala Agency", "Foxtrot Muzaffarabad Agency", "Golf Gilgit Agency"];
    const mark = t.adapter.sent.length;
    for (const name of names) await t.send(`/partner ${(await partner(name)).code}`, { id: "staff3" });
    expect(toAdmin(mark)).toHaveLength(3);
    const last = t.adapter.sent.filter((s) => s.chatId === "staff3").at(-1)!.message.text;
    expect(last).toBe(t.app.deps.i18n.t("en")("partners:member.tooMany", { count: 3 }));
  });

  it("a rejected request grants nothing, a second admin cannot approve it afterwards, and a seller can decide nothing", async () => {
    const delta = await partner("Delta Karachi Agency");
    const mark = t.adapter.sent.length;
    await t.send(`/partner ${delta.code}`, { id: "staff4", displayName: "Staff Four" });
    const [notice] = toAdmin(mark);
    const approve = buttonData(notice!, 0);
    const reject = buttonData(notice!, 1);
    expect((await t.send({ kind: "choice", data: approve }, { id: "seller1" }))[0]!.text).toMatch(/Only admins/);
    expect((await t.send({ kind: "choice", data: reject }, { id: "admin1" }))[0]!.text).toMatch(/Rejected: Staff Four will not act for Delta Karachi Agency/);
    expect((await t.send({ kind: "choice", data: approve }, { id: "admin2" }))[0]!.text).toBe(t.app.deps.i18n.t("en")("partners:member.gone"));
    expect(await partnerIdOfMember(t.app.deps.db, await userId("staff4"))).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { id: await userId("staff4") } })).role).toBe("seller");
  });

  it("answers a forged or outdated approval button without granting anything", async () => {
    for (const data of ["pt:approve:1", "pt:rq:approve:999999", "pt:rq:approve:abc", "pt:rq:approve:-1"]) {
      const [reply] = await t.send({ kind: "choice", data }, { id: "admin1" });
      expect(reply!.text).toMatch(/no longer (exists|active)/);
    }
  });
});

describe("approval from the command line", () => {
  it("approves the user's pending request for that partner and closes the others", async () => {
    const echo = await partner("Echo Gujranwala Agency");
    const foxtrot = await partner("Foxtrot Muzaffarabad Agency");
    await t.send(`/partner ${echo.code}`, { id: "staff5" });
    await t.send(`/partner ${foxtrot.code}`, { id: "staff5" });
    const result = await approveMemberByIdentity(t.app.deps.db, foxtrot.name, "console", "staff5");
    expect(result).toMatchObject({ ok: true, partner: foxtrot.name, decision: { partnerName: foxtrot.name } });
    expect(await partnerIdOfMember(t.app.deps.db, await userId("staff5"))).toBe(foxtrot.id);
    const rows = await db().partnerRequest.findMany({ where: { userId: await userId("staff5") }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.partnerId, r.status])).toEqual([[echo.id, "closed"], [foxtrot.id, "approved"]]);
  });
});

describe("the partner_requests migration", () => {
  it("turns pending memberships into requests for the same partner and keeps approved ones", async () => {
    const all = listMigrations(testProvider === "postgres" ? "postgresql" : "sqlite");
    const at = all.findIndex((m) => m.name.endsWith("_partner_requests"));
    expect(at).toBeGreaterThan(0);
    const seed = `INSERT INTO "User" ("id", "role", "language", "languageExplicit", "createdAt", "updatedAt") VALUES (1, 'seller', 'en', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), (2, 'partner', 'en', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
      INSERT INTO "Partner" ("id", "name", "code", "city", "latitude", "longitude", "updatedAt") VALUES (7, 'P7', 'p7', 'Sialkot', 32.5, 74.5, CURRENT_TIMESTAMP), (8, 'P8', 'p8', 'Daska', 32.3, 74.3, CURRENT_TIMESTAMP);
      INSERT INTO "PartnerMember" ("userId", "partnerId", "status") VALUES (1, 7, 'pending'), (2, 8, 'approved');`;
    const check = [`SELECT "userId", "partnerId", "status" FROM "PartnerRequest"`, `SELECT "userId", "partnerId", "status" FROM "PartnerMember"`];
    let rows: unknown[][];
    if (testProvider === "postgres") {
      const client = new pg.Client({ connectionString: loadTestSettings().TEST_POSTGRES_URL });
      await client.connect();
      const schema = `test_migration_${process.pid}_${Date.now()}`;
      try {
        await client.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
        for (const m of all.slice(0, at)) await client.query(m.sql);
        await client.query(seed);
        await client.query(all[at]!.sql);
        rows = await Promise.all(check.map(async (q) => (await client.query(q)).rows));
      } finally {
        await client.query(`DROP SCHEMA "${schema}" CASCADE`);
        await client.end();
      }
    } else {
      const raw = new Sqlite(":memory:");
      for (const m of all.slice(0, at)) raw.exec(m.sql);
      raw.exec(seed.replace(/\bfalse\b/g, "0"));
      raw.exec(all[at]!.sql);
      rows = check.map((q) => raw.prepare(q).all());
      raw.close();
    }
    expect(rows[0]).toEqual([{ userId: 1, partnerId: 7, status: "pending" }]);
    expect(rows[1]).toEqual([{ userId: 2, partnerId: 8, status: "approved" }]);
  });
});

describe("revoking a partner account", () => {
  it("partners revoke --user takes the membership and the partner role away; the account is a seller again", async () => {
    const golf = await partner("Golf Gilgit Agency");
    await t.send(`/partner ${golf.code}`, { id: "leaver" });
    await approveMemberByIdentity(t.app.deps.db, golf.name, "console", "leaver");
    expect(await partnerIdOfMember(t.app.deps.db, await userId("leaver"))).toBe(golf.id);
    const r = await runCliInProcess(t.database.url, ["partners", "revoke", "--user", "console:leaver"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/console:leaver no longer acts for "Golf Gilgit Agency"/);
    expect(await partnerIdOfMember(t.app.deps.db, await userId("leaver"))).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { id: await userId("leaver") } })).role).toBe("seller");
    // In chat they are refused what partners may do.
    expect((await t.send("/broadcast", { id: "leaver" }))[0]!.text).toBe(t.app.deps.i18n.t("en")("broadcasts:errors.notAllowed"));
    const again = await runCliInProcess(t.database.url, ["partners", "revoke", "--user", "console:leaver"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not a partner account/);
  });
});
