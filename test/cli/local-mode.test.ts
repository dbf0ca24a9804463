/**
 * The local mode as the command runs it (a child process, piped): `chat --as admin` and
 * `--as partner:NAME` are local users with those roles; what the bot queues for console
 * users is delivered in the chat (the outbox worker runs there); sample data only for the
 * local chat or with --samples, `samples remove`, and `events announce` of a sample asks
 * for --force; the command works from any directory.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

const CSV_HEADER = "name,city,address,latitude,longitude,phone,whatsapp,telegram,categories,languages";

const BIN = resolve("bin/seller-bot.js");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "seller-bot-local-"));
  dirs.push(dir);
  return dir;
}

/** `seller-bot ARGS` in `cwd` with a clean environment plus `env`. */
function run(cwd: string, args: string[], input = "", env: Record<string, string> = {}) {
  const r = spawnSync("node", [BIN, ...args], { cwd, input, encoding: "utf8", timeout: 120_000, env: { PATH: process.env.PATH, HOME: cwd, LOG_LEVEL: "warn", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const json = <T>(s: string) => JSON.parse(s) as T;

describe("chat --as", () => {
  const dir = tempDir();

  it("as admin: a broadcast is delivered to the local seller in the same run", () => {
    expect(run(dir, ["chat"], "hello\n").code).toBe(0); // the local seller exists and is subscribed
    const r = run(dir, ["chat", "--as", "admin"], "/broadcast\n1\nBuyers meetup at the Chamber on Friday.\n1\n");
    expect(r.code).toBe(0);
    const recipients = Number(/Queued: broadcast #1 to (\d+) recipient/.exec(r.stdout)?.[1]);
    expect(recipients).toBeGreaterThanOrEqual(1);
    // Delivered, not left queued: the seller's copy is marked with whom it is for.
    expect(r.stdout).toMatch(/\[to console:local\]\nBuyers meetup at the Chamber on Friday\./);
    const status = run(dir, ["broadcasts", "status", "1", "--json"]);
    expect(json<{ queued: number; sent: number }>(status.stdout)).toMatchObject({ queued: 0, sent: recipients });
  }, 120_000);

  it("as admin: the admin menu and admin commands; plain chat is a seller again", () => {
    const admin = run(dir, ["chat", "--as", "admin"], "/broadcast status 1\n");
    expect(admin.stdout).toMatch(/broadcast #?1/i);
    expect(admin.stdout).toMatch(/queued 0, sent [1-9]/);
    const seller = run(dir, ["chat"], "/broadcast\n");
    expect(seller.stdout).not.toMatch(/Who should receive this announcement/);
  }, 120_000);

  it("as partner:NAME (any case) or partner:ID: a member of that partner", () => {
    expect(json<unknown[]>(run(dir, ["events", "list"]).stdout).length).toBeGreaterThan(0); // the local chat added samples
    const byName = run(dir, ["chat", "--as", "partner:sample sialkot export desk"], "hello\n");
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(/Assalam-o-Alaikum Sample Sialkot Export Desk \(local\)/);
    expect(byName.stdout).toMatch(/Send an announcement/);
    expect(byName.stdout).toMatch(/My sellers' progress/);
    const again = run(dir, ["chat", "--as", "partner:Sample Sialkot Export Desk"], "/broadcast\n");
    expect(again.stdout).toMatch(/go to your own sellers/);
    const organiser = json<Array<{ partnerId: number | null }>>(run(dir, ["events", "list"]).stdout).find((e) => e.partnerId !== null)!.partnerId;
    const byId = run(dir, ["chat", "--as", `partner:${organiser}`], "hello\n");
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/Send an announcement/);
  }, 120_000);

  it("refuses an unknown partner or role with what is expected", () => {
    const nobody = run(dir, ["chat", "--as", "partner:Nobody Such"]);
    expect([nobody.code, nobody.stderr.trim()]).toEqual([2, '--as: No partner named "Nobody Such".']);
    const boss = run(dir, ["chat", "--as", "boss"]);
    expect(boss.code).toBe(2);
    expect(boss.stderr).toMatch(/expected seller, admin or partner:NAME/);
  }, 120_000);
});

describe("sample data", () => {
  it("start with a channel configured adds none, --samples does (once), and a sample event is announced only with --force", () => {
    const dir = tempDir();
    // Telegram configured but unreachable: start fails (69) after opening the new database.
    const env = { TELEGRAM_BOT_TOKEN: "123456:ABC-def", TELEGRAM_API_ROOT: "http://127.0.0.1:9", TELEGRAM_START_TIMEOUT_MS: "300", HTTP_PORT: "0", JOBS_ENABLED: "false" };
    const start = run(dir, ["start"], "", env);
    expect(start.code).toBe(69);
    expect(json<unknown[]>(run(dir, ["events", "list"]).stdout)).toEqual([]);
    expect(run(dir, ["partners", "export"]).stdout.trim().split("\n")).toHaveLength(1);

    expect(run(dir, ["start", "--samples"], "", env).code).toBe(69);
    const events = json<Array<{ id: number; isSample: boolean }>>(run(dir, ["events", "list"]).stdout);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.isSample)).toBe(true);
    // --samples again does not add them twice.
    expect(run(dir, ["start", "--samples"], "", env).code).toBe(69);
    expect(json<unknown[]>(run(dir, ["events", "list"]).stdout)).toHaveLength(events.length);

    // A sample event is not announced without --force.
    const announce = run(dir, ["events", "announce", String(events[0]!.id), "--json"]);
    expect(announce.code).toBe(2);
    expect(announce.stderr).toMatch(/is a sample event, not a real one; add --force/);
    const forced = run(dir, ["events", "announce", String(events[0]!.id), "--json", "--force"]);
    expect(forced.code).toBe(0);
    expect(json<{ broadcastId: number }>(forced.stdout).broadcastId).toBeGreaterThan(0);
  }, 240_000);

  it("samples remove deletes sample partners and events and what hangs on them, and keeps real rows", () => {
    const dir = tempDir();
    expect(run(dir, ["chat"], "hello\n").code).toBe(0); // new embedded database, local chat: samples
    writeFileSync(join(dir, "real.csv"), `${CSV_HEADER}\nReal Lahore Desk,Lahore,1 Mall Road,31.5546,74.3572,+92 300 1112223,,,leather garments,en\nReal Multan Desk,Multan,2 Bosan Road,30.1575,71.5249,+92 300 4445556,,,cotton,ur\n`);
    expect(run(dir, ["partners", "import", "real.csv"]).code).toBe(0);
    const realPartners = run(dir, ["partners", "export"]).stdout.split("\n").filter((l) => l && !/^Sample /.test(l)).length - 1;
    expect(realPartners).toBeGreaterThan(0);
    // A local member of a sample partner: back to seller once the partner is gone.
    expect(run(dir, ["chat", "--as", "partner:Sample Sialkot Export Desk"], "hello\n").code).toBe(0);
    const before = json<Array<{ isSample: boolean }>>(run(dir, ["events", "list"]).stdout);

    const removed = run(dir, ["samples", "remove", "--json"]);
    expect(removed.code).toBe(0);
    const counts = json<{ partners: number; events: number }>(removed.stdout);
    expect(counts.events).toBe(before.filter((e) => e.isSample).length);
    expect(counts.partners).toBeGreaterThan(0);
    expect(json<unknown[]>(run(dir, ["events", "list"]).stdout)).toEqual([]);
    const after = run(dir, ["partners", "export"]).stdout.split("\n").filter(Boolean);
    expect(after.filter((l) => /^Sample /.test(l))).toEqual([]);
    expect(after.length - 1).toBe(realPartners);
    expect(run(dir, ["chat"], "hello\n").stdout).toMatch(/Assalam-o-Alaikum/); // the seller's data is still there
    const db = new Sqlite(join(dir, "data", "seller-bot.db"), { readonly: true });
    const roles = db.prepare(`SELECT i."externalId" AS id, u."role" AS role FROM "ChannelIdentity" i JOIN "User" u ON u."id" = i."userId" WHERE i."channel" = 'console' ORDER BY i."externalId"`).all();
    db.close();
    expect(roles).toEqual([{ id: "local", role: "seller" }, { id: expect.stringMatching(/^local-partner-\d+$/), role: "seller" }]);
    expect(run(dir, ["samples", "remove", "--json"]).stdout.trim()).toBe('{"partners":0,"events":0,"broadcasts":0}');
  }, 240_000);
});

describe("from any directory", () => {
  it("runs from a temporary directory: the shipped content, the database where the command runs", () => {
    const dir = tempDir();
    const r = run(dir, ["chat"], "what documents do I need\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NTN certificate/);
    expect(existsSync(join(dir, "data", "seller-bot.db"))).toBe(true);
  }, 120_000);

  it("a relative CONTENT_DIR and DATABASE_URL are relative to where the command runs", () => {
    const dir = tempDir();
    const r = run(dir, ["ask", "fees"], "", { CONTENT_DIR: "my-content", DATABASE_URL: "file:db/x.db" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(join(dir, "my-content"));
    cpSync(resolve("content"), join(dir, "my-content"), { recursive: true });
    const ok = run(dir, ["ask", "--json", "fees"], "", { CONTENT_DIR: "my-content", DATABASE_URL: "file:db/x.db" });
    expect(ok.code).toBe(0);
    expect(existsSync(join(dir, "db", "x.db"))).toBe(true);
  }, 120_000);
});
