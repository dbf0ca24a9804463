/**
 * Forged event buttons: every `ev:` callback that takes an id obeys the same rule as the
 * command that shows it. A draft is shown to nobody through seller buttons; manage buttons
 * need the event's own partner (or an admin) before anything about the event is said.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryAdapter, type MemoryAdapter } from "../../src/channels/memory/index.ts";
import type { InboundContent, OutboundMessage } from "../../src/core/types.ts";
import type { EventRow } from "../../src/features/events/service.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { makeEvent, makePartner, makeUser } from "./helpers.ts";

let t: TestApp;
let tg: MemoryAdapter;
let draft: EventRow;
let published: EventRow;
const SECRET = ["Secret Draft Summit", "Hidden Hall", "Secret Road", "32.777"];
const MANAGE_ACTIONS = ["manage", "pub", "att", "cancel", "cancelok", "ann", "annok"];

beforeAll(async () => {
  t = await createTestApp({ env: { SELLER_BOT_ADMINS: "telegram:ev-admin" } });
  // Telegram-like: buttons and files, so an .ics would be sent if allowed.
  tg = createMemoryAdapter("telegram", { buttons: true, files: true });
  t.app.deps.messenger.register(tg);
  await tg.start(t.app.core.handle);
  const owner = await makePartner(t.app.deps.db, "Owner Events Partner", "ev-owner");
  await makePartner(t.app.deps.db, "Rival Events Partner", "ev-rival");
  await t.app.deps.db.channelIdentity.updateMany({ where: { externalId: { in: ["ev-owner", "ev-rival"] } }, data: { channel: "telegram" } });
  await makeUser(t.app.deps.db, { channel: "telegram", externalId: "ev-seller" });
  // One seller per manage action: every reply to one chat after the first few is paced at one
  // a second (REPLY_POLICIES), which is not what these tests are about and cost 2 s a case.
  for (const action of MANAGE_ACTIONS) await makeUser(t.app.deps.db, { channel: "telegram", externalId: `ev-seller-${action}` });
  draft = await makeEvent(t.app.deps, {
    title: { en: SECRET[0]! },
    venue: { name: SECRET[1]!, address: SECRET[2]!, latitude: 32.777, longitude: 74.111 },
    partnerId: owner.partner.id,
    status: "draft",
  });
  published = await makeEvent(t.app.deps, { title: { en: "Open Summit" }, partnerId: owner.partner.id });
});
afterAll(async () => t.close());

/** Sends content from a Telegram user; returns every message that user got back. */
async function press(from: string, content: InboundContent | string): Promise<OutboundMessage[]> {
  const before = tg.sent.length;
  await tg.receive({ ...t.inbound(content, { id: from }), channel: "telegram" });
  return tg.sent.slice(before).filter((s) => s.chatId === from).map((s) => s.message);
}
const leaks = (replies: OutboundMessage[]) => {
  const all = replies.map((r) => `${r.text}\n${JSON.stringify(r.location ?? null)}\n${String(r.file?.content ?? "")}`).join("\n");
  return SECRET.filter((s) => all.includes(s));
};
const i18n = () => t.app.deps.i18n.t("en");

describe("seller buttons on a draft", () => {
  it("ev:ics of a draft answers like ev:show: not found, no file, no title, venue or pin", async () => {
    const shown = await press("ev-seller", { kind: "choice", data: `ev:show:${draft.id}` });
    const ics = await press("ev-seller", { kind: "choice", data: `ev:ics:${draft.id}` });
    expect(leaks(ics)).toEqual([]);
    expect(ics.some((r) => r.file)).toBe(false);
    expect(ics.map((r) => r.text)).toEqual(shown.map((r) => r.text));
    expect(ics[0]!.text).toBe(i18n()("events:errors.rsvp.notFound"));
  });

  it("ev:ics of a published event still works", async () => {
    const [reply] = await press("ev-seller", { kind: "choice", data: `ev:ics:${published.id}` });
    expect(String(reply!.file?.content)).toContain("SUMMARY:Open Summit");
  });

  it("ev:rsvp of a draft says nothing about it", async () => {
    const replies = await press("ev-seller", { kind: "choice", data: `ev:rsvp:${draft.id}:going` });
    expect(leaks(replies)).toEqual([]);
    expect(await t.app.deps.db.rsvp.count({ where: { eventId: draft.id } })).toBe(0);
  });
});

describe("manage buttons pressed by someone who may not manage the event", () => {
  const actions = MANAGE_ACTIONS;

  it.each(actions)("ev:%s:<draft> from a seller: the partners-only answer, the same as for a missing id", async (action) => {
    const replies = await press(`ev-seller-${action}`, { kind: "choice", data: `ev:${action}:${draft.id}` });
    const missing = await press(`ev-seller-${action}`, { kind: "choice", data: `ev:${action}:999999` });
    expect(leaks(replies)).toEqual([]);
    expect(replies.map((r) => r.text)).toEqual(missing.map((r) => r.text));
    expect(replies[0]!.text).toBe(i18n()("events:errors.partnersOnly"));
  });

  it.each(actions)("ev:%s:<draft> from another partner: refused before anything about the event is said", async (action) => {
    const replies = await press("ev-rival", { kind: "choice", data: `ev:${action}:${draft.id}` });
    expect(leaks(replies)).toEqual([]);
    expect(replies[0]!.text).toBe(i18n()("events:errors.notYourEvent"));
  });

  it("changed nothing", async () => {
    const row = await t.app.deps.db.event.findUniqueOrThrow({ where: { id: draft.id } });
    expect(row.status).toBe("draft");
    expect(await t.app.deps.db.broadcast.count({ where: { eventId: draft.id } })).toBe(0);
  });

  it("the owner still manages it, and an admin too", async () => {
    expect((await press("ev-owner", { kind: "choice", data: `ev:manage:${draft.id}` }))[0]!.text).toContain(SECRET[0]);
    expect((await press("ev-admin", { kind: "choice", data: `ev:ann:${draft.id}` }))[0]!.text).toBe(i18n()("events:errors.announce.draft"));
  });
});
