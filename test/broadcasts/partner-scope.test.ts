/**
 * Partner scope on broadcast commands: a partner sees the report of its own broadcasts
 * only; another partner's id gets the same answer as a missing one (a forged id tells
 * nobody which broadcasts exist), and pause / resume / cancel stay with admins. (The event
 * buttons' scope is in events/callbacks.test.ts, /unlink in groups.test.ts.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makePartner, makeUser } from "./helpers.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("/broadcast of another partner's broadcast", () => {
  it("status: the not-found answer; pause, resume, cancel: admins only; nothing changes", async () => {
    t = await createTestApp({ channel: "telegram" });
    const db = t.app.deps.db;
    const en = t.app.deps.i18n.t("en");
    const owner = await makePartner(db);
    const rival = await makePartner(db);
    await makeUser(db, { channel: "telegram", externalId: "own-1", memberOf: owner.id });
    await makeUser(db, { channel: "telegram", externalId: "rival-1", memberOf: rival.id });
    await makeUser(db, { assignedTo: owner.id });
    await t.send("/broadcast", { id: "own-1" });
    await t.send("Export summit in Sialkot on 20 December, 10 am.", { id: "own-1" });
    const queued = await t.send({ kind: "choice", data: "bc:send:yes" }, { id: "own-1" });
    const id = Number(/#(\d+)/.exec(queued[0]!.text)?.[1]);
    expect(id).toBeGreaterThan(0);

    // The owner's member sees it.
    expect((await t.send(`/broadcast status ${id}`, { id: "own-1" }))[0]!.text).toContain("queued 1");
    // The rival gets exactly what a missing id gets.
    const forged = await t.send(`/broadcast status ${id}`, { id: "rival-1" });
    const missing = await t.send(`/broadcast status 999999`, { id: "rival-1" });
    expect(forged.map((r) => r.text)).toEqual([en("broadcasts:errors.notFound", { id })]);
    expect(missing.map((r) => r.text)).toEqual([en("broadcasts:errors.notFound", { id: 999999 })]);
    expect(forged[0]!.text).not.toContain("queued");
    for (const action of ["pause", "resume", "cancel"]) {
      for (const who of ["rival-1", "own-1"]) {
        expect((await t.send(`/broadcast ${action} ${id}`, { id: who })).map((r) => r.text)).toEqual([en("broadcasts:errors.adminOnly")]);
      }
    }
    expect(await db.broadcast.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "active" });
  });
});
