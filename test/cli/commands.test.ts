/**
 * The command tree (commander): help everywhere, errors that say what is expected, a
 * partner by name or id, and lazy loading (the static imports of the entry never reach
 * channel code).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createProgram } from "../../src/cli/program.ts";
import { runCliInProcess } from "../support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.prisma.partner.create({ data: { name: "Sialkot Trade Link", code: "STL1", city: "Sialkot", latitude: 32.49, longitude: 74.53, active: true, approved: true } });
});
afterAll(async () => db?.close());

/** Every command path, from the program itself. */
function commandPaths(): string[][] {
  const program = createProgram({ stdout: new PassThrough(), stderr: new PassThrough() }, { run: async () => undefined, seams: {} });
  const paths: string[][] = [];
  const walk = (c: typeof program, prefix: string[]) => {
    for (const sub of c.commands) {
      paths.push([...prefix, sub.name()]);
      walk(sub, [...prefix, sub.name()]);
    }
  };
  walk(program, []);
  return paths.filter((p) => p.at(-1) !== "help");
}

describe("help", () => {
  it("--help at every level prints usage to stdout and exits 0, without reading the configuration", async () => {
    const paths = [[], ...commandPaths()];
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      let out = "";
      let err = "";
      const stdout = new PassThrough().on("data", (d) => (out += d));
      const stderr = new PassThrough().on("data", (d) => (err += d));
      // No config given: main reads the environment only when an action runs, and --help runs none.
      const code = await main([...path, "--help"], { stdout, stderr, stdin: new PassThrough() });
      expect(code, path.join(" ")).toBe(0);
      expect(out, path.join(" ")).toMatch(new RegExp(`^Usage: seller-bot${path.map((p) => ` ${p}`).join("")} `));
      expect(err).toBe("");
    }
  });

  it("the top-level usage lists every subcommand with its arguments", async () => {
    const { code, stdout } = await runCliInProcess(db.url, ["--help"]);
    expect(code).toBe(0);
    for (const line of ["seller-bot partners approve <partner...> --user <channel:id>", "seller-bot events list", "seller-bot events cancel <EVENT_ID>", "seller-bot events attendees <EVENT_ID>", "seller-bot whatsapp login", "seller-bot broadcasts status <ID> [--json]", "seller-bot ask [text...] [--json]"]) {
      expect(stdout).toContain(line);
    }
    for (const path of commandPaths()) expect(stdout, path.join(" ")).toContain(`seller-bot ${path.join(" ")}`);
    expect(stdout).toMatch(/relative file: path is relative to the directory the command runs in/);
  });

  it("a command with subcommands and none given prints its usage as a usage error", async () => {
    for (const args of [["events"], ["whatsapp"], []]) {
      const r = await runCliInProcess(db.url, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/Usage: seller-bot/);
    }
  });
});

describe("errors say what is expected", () => {
  it.each([
    [["progress", "export", "--partner"], /option '--partner <partner>' argument missing/],
    [["progress", "export", "--format", "xls"], /Allowed choices are csv, json/],
    [["progress", "export", "--partner", "Nobody Such"], /No partner named "Nobody Such"\./],
    [["progress", "export", "--partner", "4242"], /No partner with id 4242\./],
    [["events", "frobnicate"], /unknown command 'frobnicate'/],
    [["events", "cancel"], /missing required argument 'EVENT_ID'/],
    [["broadcasts", "status", "x"], /ID: expected a positive whole number, got "x"/],
    [["partners", "approve", "Sialkot Trade Link"], /required option '--user <channel:id>' not specified/],
    [["dashboard", "link", "--partner", "99999"], /No partner with id 99999/],
    [["events", "announce", "1", "--audience", "partner:  "], /--audience: expected a name after "partner:"/],
  ])("%j", async (args, message) => {
    const r = await runCliInProcess(db.url, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/NaN|at .*\.ts:\d+/);
    expect(r.stdout).toBe("");
  });
});

describe("a partner by name or id", () => {
  it("progress export --partner takes either", async () => {
    const partner = await db.prisma.partner.findFirstOrThrow({ where: { name: "Sialkot Trade Link" } });
    const byName = await runCliInProcess(db.url, ["progress", "export", "--partner", "sialkot trade link", "--format", "json"]);
    const byId = await runCliInProcess(db.url, ["progress", "export", "--partner", String(partner.id), "--format", "json"]);
    expect([byName.code, byName.stderr]).toEqual([0, ""]);
    expect(byId).toEqual(byName);
  });

  it("dashboard link --partner takes either", async () => {
    const partner = await db.prisma.partner.findFirstOrThrow({ where: { name: "Sialkot Trade Link" } });
    for (const ref of ["Sialkot Trade Link", String(partner.id)]) {
      const r = await runCliInProcess(db.url, ["dashboard", "link", "--partner", ref]);
      expect(r.code, ref).toBe(0);
      expect(r.stdout).toMatch(/dashboard\/login\?token=/);
    }
  });
});

describe("lazy loading", () => {
  it("the entry's static imports reach no channel code and no platform library", () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      // Static imports only: `import x from "…"` and `export … from "…"`, not `import("…")` or `import type`.
      for (const m of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"|^import\s+"([^"]+)"/gms)) {
        const spec = m[1] ?? m[2]!;
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
        else packages.add(spec);
      }
    };
    visit(resolve("src/cli/main.ts"));
    const files = [...seen].map((f) => f.slice(resolve("src").length + 1));
    expect(files).toContain("features/partners/commands.ts");
    expect(files.filter((f) => /^channels\/(telegram|whatsapp)\/(?!commands\.ts)/.test(f))).toEqual([]);
    expect([...packages].filter((p) => /grammy|baileys|qrcode|hono/.test(p))).toEqual([]);
  });
});
