/**
 * A linked Telegram group stays with its partner: another partner's /link code cannot move
 * it; it moves only after its own partner (or an admin) unlinks it, or when an admin links it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makePartner, makeUser } from "./helpers.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const group = { id: "-100900", kind: "group" as const, title: "Sialkot sellers" };

async function inGroup(app: TestApp, text: string, from: string) {
  const message = { ...app.inbound(text, { id: from, chat: group }), addressedToBot: true };
  const before = app.adapter.sent.length;
  await app.adapter.receive(message);
  return app.adapter.sent.slice(before).filter((s) => s.chatId === group.id).map((s) => s.message.text);
}
async function linkCode(app: TestApp, from: string): Promise<string> {
  const [reply] = await app.send("/linkcode", { id: from });
  return /\b([A-Z2-9]{6})\b/.exec(reply!.text)![1]!;
}
const linkedTo = async (app: TestApp) => (await app.app.deps.db.linkedGroup.findFirstOrThrow({ where: { chatId: group.id } })).partnerId;

describe("moving a linked group", () => {
  it("refuses another partner's code while the group is linked, keeps that code usable, and allows the move after /unlink", async () => {
    t = await createTestApp({ channel: "telegram" });
    const db = t.app.deps.db;
    const a = await makePartner(db, "Group Owner Partner");
    const b = await makePartner(db, "Group Rival Partner");
    await makeUser(db, { channel: "telegram", externalId: "a1", memberOf: a.id });
    await makeUser(db, { channel: "telegram", externalId: "b1", memberOf: b.id });
    await t.send({ kind: "event", event: "added-to-group" }, { id: "a1", chat: group });

    expect((await inGroup(t, `/link ${await linkCode(t, "a1")}`, "a1"))[0]).toContain("Group Owner Partner");
    const rivalCode = await linkCode(t, "b1");
    const refused = await inGroup(t, `/link ${rivalCode}`, "b1");
    expect(refused[0]).toBe(t.app.deps.i18n.t("en")("broadcasts:group.linkedElsewhere"));
    expect(await linkedTo(t)).toBe(a.id);
    // The rival cannot unlink it either.
    expect((await inGroup(t, "/unlink", "b1"))[0]).toBe(t.app.deps.i18n.t("en")("broadcasts:group.notYours"));
    expect(await linkedTo(t)).toBe(a.id);

    // Its own partner unlinks it; then the rival's (unspent) code links it.
    await inGroup(t, "/unlink", "a1");
    expect((await inGroup(t, `/link ${rivalCode}`, "b1"))[0]).toContain("Group Rival Partner");
    expect(await linkedTo(t)).toBe(b.id);
  });

  it("lets an admin move a linked group with a partner's code", async () => {
    t = await createTestApp({ channel: "telegram", env: { SELLER_BOT_ADMINS: "telegram:boss" } });
    const db = t.app.deps.db;
    const a = await makePartner(db, "First Group Partner");
    const b = await makePartner(db, "Second Group Partner");
    await makeUser(db, { channel: "telegram", externalId: "a2", memberOf: a.id });
    await makeUser(db, { channel: "telegram", externalId: "b2", memberOf: b.id });
    await t.send("hello", { id: "boss" });
    await inGroup(t, `/link ${await linkCode(t, "a2")}`, "a2");
    expect((await inGroup(t, `/link ${await linkCode(t, "b2")}`, "boss"))[0]).toContain("Second Group Partner");
    expect(await linkedTo(t)).toBe(b.id);
  });
});

describe("group titles", () => {
  it("stores a title with a NUL and control characters cleaned (PostgreSQL refuses NUL)", async () => {
    t = await createTestApp({ channel: "telegram" });
    const chat = { id: "-100901", kind: "group" as const, title: "Sialkot\u0000 sellers\u0007" };
    await t.send({ kind: "event", event: "added-to-group" }, { id: "g1", chat });
    expect((await t.app.deps.db.linkedGroup.findFirstOrThrow({ where: { chatId: chat.id } })).title).toBe("Sialkot sellers");
  });
});

describe("/broadcast status for someone else's broadcast", () => {
  it("answers exactly as for a broadcast that does not exist", async () => {
    t = await createTestApp({ channel: "telegram" });
    const db = t.app.deps.db;
    const owner = await makePartner(db, "Status Owner");
    const rival = await makePartner(db, "Status Rival");
    await makeUser(db, { channel: "telegram", externalId: "owner1", memberOf: owner.id });
    await makeUser(db, { channel: "telegram", externalId: "rival1", memberOf: rival.id });
    await makeUser(db, { assignedTo: owner.id });
    await t.send("/broadcast", { id: "owner1" });
    await t.send("Export summit in Sialkot on 20 December, 10 am.", { id: "owner1" });
    const queued = await t.send({ kind: "choice", data: "bc:send:yes" }, { id: "owner1" });
    const id = Number(/#(\d+)/.exec(queued[0]!.text)?.[1]);
    const missing = id + 1000;
    for (const who of ["rival1", "a-seller"]) {
      const [theirs] = await t.send(`/broadcast status ${id}`, { id: who });
      const [none] = await t.send(`/broadcast status ${missing}`, { id: who });
      expect(theirs!.text.replace(String(id), "N")).toBe(none!.text.replace(String(missing), "N"));
      expect(theirs!.text).not.toMatch(/queued \d/);
    }
    expect((await t.send(`/broadcast status ${id}`, { id: "owner1" }))[0]!.text).toMatch(/queued 1/);
  });
});
