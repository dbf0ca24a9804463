/**
 * Partners reach their sellers and sellers find their own events: announcements say who
 * invites, a partner's free-text broadcast is signed with the partner's name, the
 * organiser sees a real t.me link when the bot's username is set, and "my events" gives
 * the calendar file again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryAdapter } from "../../src/channels/memory/index.ts";
import { announcementContent, announceEvent } from "../../src/features/events/announce.ts";
import { setRsvp } from "../../src/features/events/rsvp.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makeEvent, makePartner, makeUser, subscribe } from "./helpers.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const last = (replies: Array<{ text: string }>) => replies.at(-1)?.text ?? "";

describe("who sent an announcement", () => {
  it("an event announcement names the organising partner, or the programme team", async () => {
    t = await createTestApp();
    const { partner } = await makePartner(t.app.deps.db, "Alpha Events Sialkot");
    const own = await makeEvent(t.app.deps, { partnerId: partner.id, title: { en: "Alpha Summit" } });
    const seller = await makeUser(t.app.deps.db);
    await subscribe(t.app.deps.db, seller.id, partner.id);
    const { broadcastId } = await announceEvent(t.app.deps, own.id, null);
    const stored = await t.app.deps.db.broadcast.findUniqueOrThrow({ where: { id: broadcastId } });
    const content = JSON.parse(stored.content) as { text: Record<string, string> };
    expect(content.text.en).toMatch(/^Alpha Events Sialkot invites you:/);
    expect(content.text.ur).toMatch(/^Alpha Events Sialkot آپ کو مدعو کرتا ہے/);
    const team = await makeEvent(t.app.deps, { title: { en: "Team Summit" } });
    expect(announcementContent(t.app.deps, team, null).text.en).toMatch(/^The programme team invites you:/);
  });

  it("a partner's broadcast typed in chat opens with the partner's name", async () => {
    t = await createTestApp();
    const { partner, member } = await makePartner(t.app.deps.db, "Bravo Daska Desk");
    const seller = await makeUser(t.app.deps.db);
    await subscribe(t.app.deps.db, seller.id, partner.id);
    const from = { id: member.identities[0]!.externalId };
    await t.send("/broadcast", from);
    await t.send("Document clinic at our office on Friday at 3 pm.", from);
    await t.send("1", from);
    const b = await t.app.deps.db.broadcast.findFirstOrThrow({ where: { partnerId: partner.id } });
    expect((JSON.parse(b.content) as { text: { en: string } }).text.en).toBe("From Bravo Daska Desk:\n\nDocument clinic at our office on Friday at 3 pm.");
  });
});

describe("the organiser's invitation link", () => {
  it("is https://t.me/<bot>?start=e_<id> with TELEGRAM_BOT_USERNAME, never a t.me/<bot> placeholder", async () => {
    for (const env of [{ TELEGRAM_BOT_USERNAME: "@seller_help_bot" }, {}] as Array<Record<string, string>>) {
      t = await createTestApp({ env: { SELLER_BOT_ADMINS: "console:adm", ...env } });
      const event = await makeEvent(t.app.deps);
      await t.send("hello", { id: "adm" });
      const view = last(await t.send({ kind: "choice", data: `ev:manage:${event.id}` }, { id: "adm" }));
      expect(view).not.toContain("<bot>");
      if ("TELEGRAM_BOT_USERNAME" in env) expect(view).toContain(`https://t.me/seller_help_bot?start=e_${event.id}`);
      else expect(view).toContain(`/start e_${event.id}`);
      await t.close();
      t = undefined;
    }
  });
});

describe("a seller's own events", () => {
  it("\"my events\" lists the answers and sends the .ics again for the events they are going to", async () => {
    t = await createTestApp();
    const tg = createMemoryAdapter("telegram", { buttons: true, files: true });
    t.app.deps.messenger.register(tg);
    await tg.start(t.app.core.handle);
    const going = await makeEvent(t.app.deps, { title: { en: "Going Summit" } });
    const maybe = await makeEvent(t.app.deps, { title: { en: "Maybe Summit" }, inHours: 100 });
    await tg.receive({ ...t.inbound("hello", { id: "tg-s1" }), channel: "telegram" });
    const userId = (await t.app.deps.db.channelIdentity.findFirstOrThrow({ where: { externalId: "tg-s1" } })).userId;
    await setRsvp(t.app.deps, going.id, userId, "going");
    await setRsvp(t.app.deps, maybe.id, userId, "maybe");
    const mark = tg.sent.length;
    await tg.receive({ ...t.inbound("my events", { id: "tg-s1" }), channel: "telegram" });
    const replies = tg.sent.slice(mark).map((s) => s.message);
    const files = replies.filter((m) => m.file);
    expect(files.map((m) => m.file!.filename)).toEqual([`event-${going.id}.ics`]);
    expect(String(files[0]!.file!.content)).toContain("SUMMARY:Going Summit");
    const list = replies.at(-1)!;
    expect(list.text).toContain("Going Summit: going");
    expect(list.text).toContain("Maybe Summit: maybe");
    expect(list.choices?.map((c) => c.data)).toEqual([`ev:show:${going.id}`, `ev:show:${maybe.id}`]);
    await tg.stop();
  });
});
