/**
 * What `partners import` does with files as people really have them: Latin-1 and UTF-16
 * exports from spreadsheets, a duplicated column, files too big to hold in memory (read
 * in a stream), and a database another process is writing to.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import Sqlite from "better-sqlite3";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/client.ts";
import { EXIT_BUSY, importFile as importInto } from "../../src/features/partners/cli.ts";
import { parseCsv, parseCsvStream } from "../../src/features/partners/csv.ts";
import { runCliInProcess } from "../support/cli.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database.ts";

const dir = mkdtempSync(join(tmpdir(), "partner-files-"));
const HEADER = "name,city,address,latitude,longitude,phone,whatsapp,telegram,categories,languages";
const ROW = "Café Sialkot Agency,Sialkot,Paris Road,32.49,74.53,,,,,en";
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
const importFile = (path: string) => runCliInProcess(db.url, ["partners", "import", path]);

describe("encodings", () => {
  it("refuses a Latin-1 (Windows-1252) file in one line saying it is not UTF-8, and writes nothing", async () => {
    const r = await importFile(file("latin1.csv", Buffer.from(`${HEADER}\n${ROW}\n`, "latin1")));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/file is not UTF-8/);
    expect(r.stderr).toMatch(/line 2/);
    expect(r.stderr).toMatch(/CSV UTF-8/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(await db.prisma.partner.count()).toBe(0);
  });

  it("refuses UTF-16 without a byte-order mark as not UTF-8", async () => {
    const r = await importFile(file("utf16-nobom.csv", Buffer.from(`${HEADER}\n${ROW}\n`, "utf16le")));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/file is not UTF-8 \(it looks like UTF-16/);
  });

  it("reads UTF-16 with a byte-order mark (little and big endian), as Excel's Unicode text", async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n${ROW}\r\n`, "utf16le")]);
    const r = await importFile(file("utf16le.csv", le));
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/1 created/);
    const be = Buffer.from(`${HEADER}\n${ROW.replace("Café", "Big Endian")}\n`, "utf16le").swap16();
    const r2 = await importFile(file("utf16be.csv", Buffer.concat([Buffer.from([0xfe, 0xff]), be])));
    expect(r2.stdout).toMatch(/1 created/);
    expect((await db.prisma.partner.findMany({ orderBy: { id: "asc" } })).map((p) => p.name)).toEqual(["Café Sialkot Agency", "Big Endian Sialkot Agency"]);
  });

  it("reads UTF-8 with a byte-order mark", async () => {
    const r = await importFile(file("bom.csv", `\ufeff${HEADER}\n${ROW}\n`));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 unchanged/);
  });
});

describe("headers", () => {
  it("refuses a duplicated column, naming it", async () => {
    const r = await importFile(file("dup.csv", `${HEADER},city\n${ROW},Lahore\n`));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/header: duplicate column\(s\) city/);
  });
});

describe("reading in a stream", () => {
  it("gives the same records whatever the chunk size, with quoted commas, quotes and line breaks across chunks", async () => {
    const text = `${HEADER}\r\n"Plot 1, ""Block"" 2",x\n\n"two\nlines",y\r\nlast,"no newline at the end"`;
    const whole = parseCsv(text);
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
      const streamed = [];
      for await (const r of parseCsvStream((async function* () { yield* chunks; })())) streamed.push(r);
      expect(streamed, `chunks of ${size}`).toEqual(whole);
    }
  });

  it("names the line of an unterminated quote deep in the file", async () => {
    const lines = [HEADER, ...Array.from({ length: 50 }, (_, i) => `P${i},Sialkot,a,32.4,74.5,,,,,en`), `"Never closed,Sialkot`];
    const r = await importFile(file("unterminated.csv", `${lines.join("\n")}\n`));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 52: a quoted field is never closed/);
  });
});

describe.runIf(testProvider === "sqlite")("a database another process writes to", () => {
  it("imports while another process keeps writing (as a running bot does), instead of failing on 'database is locked'", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `Busy Partner ${i},Sialkot,"Plot ${i}, Road",32.4,74.5,+92 52 1234567,,,surgical instruments,en`);
    const path = file("busy.csv", `${HEADER}\n${rows.join("\n")}\n`);
    const writer = startWriter(db.url.slice("file:".length));
    await writer.ready;
    try {
      for (let i = 0; i < 2; i++) {
        const r = await importFile(path);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
      }
    } finally {
      await writer.stop();
    }
    expect(await db.prisma.partner.count({ where: { name: { startsWith: "Busy Partner" } } })).toBe(3000);
  }, 60_000);
});

describe.runIf(testProvider === "sqlite")("a database locked for longer than the wait", () => {
  it("says so in one line, exits 75 and imports nothing", async () => {
    const path = file("locked.csv", `${HEADER}\nLocked Partner,Sialkot,a,32.4,74.5,,,,,en\n`);
    // A short wait for the lock (the command's default is 10 s, DEFAULT_TIMEOUTS.statementMs):
    // the lock below is held until the import has given up, so any wait is "longer than" it.
    const database = await openDatabase({ url: db.url, timeouts: { statementMs: 300 } });
    const holder = new Sqlite(db.url.slice("file:".length));
    holder.prepare("BEGIN IMMEDIATE").run();
    const out = { stdout: new PassThrough(), stderr: new PassThrough() };
    let stderr = "";
    out.stderr.on("data", (d) => (stderr += d));
    try {
      const code = await importInto(database, path, { ...out, stdin: new PassThrough(), config: loadConfig({ DATABASE_URL: db.url }) }, false);
      expect(code).toBe(EXIT_BUSY);
    } finally {
      holder.prepare("ROLLBACK").run();
      holder.close();
      await database.close();
    }
    expect(stderr).toMatch(/the database is busy .*nothing was imported\. Try again\./);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(await db.prisma.partner.count({ where: { name: "Locked Partner" } })).toBe(0);
  });
});

/** A process that commits a small write every few milliseconds until told to stop. */
function startWriter(path: string) {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(${JSON.stringify(path)}, { timeout: 10000 });
    db.exec('CREATE TABLE IF NOT EXISTS "_busy" (n INTEGER)');
    const insert = db.prepare('INSERT INTO "_busy" (n) VALUES (?)');
    console.log("ready");
    let n = 0;
    const timer = setInterval(() => { for (let k = 0; k < 5; k++) insert.run(n++); }, 2);
    process.stdin.on("data", () => { clearInterval(timer); db.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  const ready = new Promise<void>((resolve) => createInterface({ input: child.stdout! }).once("line", () => resolve()));
  return {
    ready,
    stop: () => new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.stdin!.write("stop\n");
    }),
  };
}
