/**
 * The `events` command: `create` as another tool calls it (a spawned process on a real
 * database; its refusals one spawned, the rest in-process), and `announce`/`cancel`/`attendees`
 * through the CLI entry in-process.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRsvp } from "../../src/features/events/rsvp.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { runCliInProcess } from "../support/cli.ts";
import { makeEvent, makePartner, makeUser, subscribe } from "./helpers.ts";

let t: TestApp;
const dir = mkdtempSync(join(tmpdir(), "events-cli-"));
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const validEvent = {
  title: { en: "Gujranwala Makers Summit", "ur-Latn": "Gujranwala Makers Summit" },
  description: { en: "Cutlery, fans & sanitary ware" },
  venue: { name: "Hall Two", address: "GT Road, Gujranwala", latitude: 32.16, longitude: 74.19 },
  startsAt: "2030-12-20T10:00:00+05:00",
  endsAt: "2030-12-20T16:00:00+05:00",
  capacity: 200,
  status: "published",
};

/** Runs `node bin/seller-bot.js ARGS` against the test database, as another tool would. */
function spawnCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/seller-bot.js", ...args], { env: { ...process.env, DATABASE_URL: t.database.url, LOG_LEVEL: "silent" }, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs the CLI in this process with captured output. */
const runCli = (args: string[]) => runCliInProcess(t.database.url, args);

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("events create (spawned)", () => {
  it("creates a valid event and prints its id", async () => {
    const r = await spawnCli(["events", "create", file("ok.json", validEvent)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: number };
    const row = await t.app.deps.db.event.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ titleEn: "Gujranwala Makers Summit", titleUr: null, status: "published", capacity: 200, isSample: false });
    expect(row.startsAt.toISOString()).toBe("2030-12-20T05:00:00.000Z");
  }, 60_000);

  it("refuses bad files with exit 2 and one line naming the fields", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["no-en.json", { ...validEvent, title: { ur: "سمٹ" } }, /title\.en: required/],
      ["end-first.json", { ...validEvent, endsAt: "2030-12-20T09:00:00+05:00" }, /endsAt: must be after startsAt/],
      ["past.json", { ...validEvent, startsAt: "2020-01-01T10:00:00+05:00", endsAt: "2020-01-01T12:00:00+05:00" }, /startsAt: .* is in the past/],
      ["cap0.json", { ...validEvent, capacity: 0 }, /capacity: must be at least 1 seat/],
      ["cap-1.json", { ...validEvent, capacity: -1 }, /capacity: must be at least 1 seat/],
      ["partner.json", { ...validEvent, partner: "No Such Partner Ltd" }, /partner: no partner named "No Such Partner Ltd"/],
      ["broken.json", "{ not json", /not valid JSON/],
    ];
    const before = await t.app.deps.db.event.count();
    // The first case spawned, as another tool sees it (the process's exit code, its stderr);
    // the rest in-process: the same main() and the same output, without a process start each.
    const results: Array<Awaited<ReturnType<typeof spawnCli>>> = [];
    for (const [i, [name, content]] of cases.entries()) {
      const args = ["events", "create", file(name, content)];
      results.push(await (i === 0 ? spawnCli(args) : runCli(args)));
    }
    for (const [i, [name, , pattern]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stdout, name).toBe("");
      expect(r.stderr, name).toMatch(pattern);
      expect(r.stderr.trim().split("\n"), name).toHaveLength(1);
    }
    expect(await t.app.deps.db.event.count()).toBe(before);
  }, 300_000);
});

describe("events announce / cancel / attendees (in-process)", () => {
  it("announces to the organiser's audience and prints {broadcastId, recipients}", async () => {
    const { partner } = await makePartner(t.app.deps.db, "Sialkot Trade Link");
    for (let i = 0; i < 3; i++) await subscribe(t.app.deps.db, (await makeUser(t.app.deps.db)).id, partner.id);
    await subscribe(t.app.deps.db, (await makeUser(t.app.deps.db)).id); // another partner's or nobody's seller
    const own = { ...validEvent, title: { en: "Sialkot Trade Link Day" }, partner: "Sialkot Trade Link" };
    const created = await runCli(["events", "create", file("p.json", own)]);
    const { id } = JSON.parse(created.stdout) as { id: number };
    // The same file again: refused, no second event.
    const again = await runCli(["events", "create", file("p.json", own)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`Event #${id} already has this title and start time`);
    expect(again.stdout).toBe("");
    expect(await t.app.deps.db.event.count({ where: { titleEn: "Sialkot Trade Link Day" } })).toBe(1);

    const r = await runCli(["events", "announce", String(id), "--json"]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(["broadcastId", "recipients"]);
    expect(out.recipients).toBe(3);
    const rows = await t.app.deps.db.outboxMessage.findMany({ where: { broadcastId: out.broadcastId as number } });
    expect(rows).toHaveLength(3);
    // The outbox rows of a broadcast share the content stored on the broadcast.
    const broadcast = await t.app.deps.db.broadcast.findUniqueOrThrow({ where: { id: out.broadcastId as number } });
    expect(broadcast.eventId).toBe(id);
    const content = JSON.parse(rows[0]!.content ?? broadcast.content) as { text: Record<string, string>; choices: Array<{ data: string }> };
    expect(content.text.en).toMatch(/^Sialkot Trade Link invites you:[\s\S]*Sialkot Trade Link Day/);
    expect(content.text.en).toContain("20 Dec 2030, 10:00 am – 4:00 pm PKT");
    expect(content.choices.map((c) => c.data)).toEqual([`ev:rsvp:${id}:going`, `ev:rsvp:${id}:maybe`, `ev:rsvp:${id}:no`]);

    const all = await runCli(["events", "announce", String(id), "--audience", "all", "--json"]);
    expect(JSON.parse(all.stdout)).toMatchObject({ recipients: 4 });
  });

  it("refuses to announce draft, cancelled and past events, queueing nothing", async () => {
    await subscribe(t.app.deps.db, (await makeUser(t.app.deps.db)).id);
    const draft = await makeEvent(t.app.deps, { status: "draft" });
    const cancelled = await makeEvent(t.app.deps);
    await t.app.deps.db.event.update({ where: { id: cancelled.id }, data: { status: "cancelled" } });
    const past = await makeEvent(t.app.deps);
    await t.app.deps.db.event.update({ where: { id: past.id }, data: { startsAt: new Date(Date.now() - 60_000) } });
    const before = await t.app.deps.db.outboxMessage.count();
    const expectations: Array<[number, RegExp]> = [[draft.id, /still a draft/], [cancelled.id, /was cancelled/], [past.id, /already started or passed/], [999_999, /could not find/]];
    for (const [id, pattern] of expectations) {
      const r = await runCli(["events", "announce", String(id), "--json"]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(pattern);
    }
    expect((await runCli(["events", "announce", "abc", "--json"])).stderr).toMatch(/EVENT_ID: expected a positive whole number/);
    expect((await runCli(["events", "announce", String(draft.id), "--audience", "planet:mars"])).stderr).toMatch(/--audience: expected all, city:NAME or partner:NAME/);
    expect(await t.app.deps.db.outboxMessage.count()).toBe(before);
    expect(await t.app.deps.db.broadcast.count({ where: { eventId: { in: [draft.id, cancelled.id, past.id] } } })).toBe(0);
  });

  it("cancels with a notice to going, maybe and waitlist (not to can't), once", async () => {
    const event = await makeEvent(t.app.deps, { capacity: 1 });
    const [going, maybe, waiting, no] = await Promise.all([1, 2, 3, 4].map(() => makeUser(t.app.deps.db)));
    await setRsvp(t.app.deps, event.id, going!.id, "going");
    await setRsvp(t.app.deps, event.id, maybe!.id, "maybe");
    await setRsvp(t.app.deps, event.id, waiting!.id, "going");
    await setRsvp(t.app.deps, event.id, no!.id, "no");
    const r = await runCli(["events", "cancel", String(event.id)]);
    expect(JSON.parse(r.stdout)).toEqual({ id: event.id, status: "cancelled", notified: 3 });
    const notices = await t.app.deps.db.outboxMessage.findMany({ where: { dedupeKey: { startsWith: `evcancel:${event.id}:` } } });
    expect(notices.map((n) => n.userId).sort()).toEqual([going!.id, maybe!.id, waiting!.id].sort());
    expect(notices[0]!.content).toContain("has been cancelled");
    const again = await runCli(["events", "cancel", String(event.id)]);
    expect(JSON.parse(again.stdout)).toMatchObject({ notified: 0 });
  });

  it("exports attendees as CSV: going first, then the waitlist in order", async () => {
    const event = await makeEvent(t.app.deps, { capacity: 1 });
    const a = await makeUser(t.app.deps.db, { name: "=HYPERLINK(\"x\")", channel: "whatsapp", externalId: "923001234567@s.whatsapp.net" });
    const b = await makeUser(t.app.deps.db, { name: "Khan, Ahmed" });
    const c = await makeUser(t.app.deps.db, { name: "Tariq", channel: "telegram", externalId: "1003" });
    await setRsvp(t.app.deps, event.id, a.id, "going");
    await setRsvp(t.app.deps, event.id, b.id, "going");
    await setRsvp(t.app.deps, event.id, c.id, "maybe");
    const r = await runCli(["events", "attendees", String(event.id), "--format", "csv"]);
    const lines = r.stdout.split("\r\n");
    expect(lines[0]).toBe("name,status,waitlist_position,channel,phone,answered_at_pkt,whatsapp_link,telegram_link");
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""x""\)",going,,whatsapp,\+923001234567,\d{4}-\d\d-\d\d \d\d:\d\d,https:\/\/wa\.me\/923001234567,$/);
    expect(lines[2]).toMatch(/^"Khan, Ahmed",waitlist,1,console,,.*,,$/);
    expect(lines[3]).toMatch(/^Tariq,maybe,,telegram,,.*,,tg:\/\/user\?id=1003$/);
    expect((await runCli(["events", "attendees", String(event.id), "--format", "xml"])).code).toBe(2);
  });
});
