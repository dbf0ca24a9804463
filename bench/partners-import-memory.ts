/**
 * Memory of `seller-bot partners import` on a big file (issue 12: a 50 MB CSV took 2.3 GB).
 * Generates a CSV of about `--mb` megabytes, then imports it into a fresh SQLite file in a
 * child process for each V8 heap limit (`--max-old-space-size`), and prints whether the
 * import completed and the child's peak RSS. The file is read as a stream, twice (check,
 * then write), so the smallest heap that completes says how much the import really keeps.
 *
 *   npx tsx bench/partners-import-memory.ts [--mb 50] [--heaps 128,192,256,0]   (0 = V8's default)
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};

if (process.argv.includes("--child")) {
  // The import as the CLI runs it, then this process's peak RSS on stderr.
  const { main } = await import("../src/cli/main.ts");
  const code = await main(["partners", "import", arg("file", "")]);
  process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\n`);
  process.exit(code);
}

const megabytes = Number(arg("mb", "50"));
const heaps = arg("heaps", "128,192,256,0").split(",").map(Number);
const dir = mkdtempSync(join(tmpdir(), "import-memory-"));
try {
  const file = join(dir, "partners.csv");
  const rows = await writeCsv(file, megabytes * 1e6);
  console.log(`partners import of ${(statSync(file).size / 1e6).toFixed(1)} MB (${rows.toLocaleString("en")} rows), SQLite, one child process per heap limit`);
  for (const heap of heaps) {
    rmSync(join(dir, "bench.db"), { force: true });
    for (const s of ["-wal", "-shm"]) rmSync(join(dir, `bench.db${s}`), { force: true });
    const started = Date.now();
    const r = await child(file, join(dir, "bench.db"), heap);
    const label = heap ? `heap ≤ ${heap} MB` : "V8 default heap";
    console.log(`  ${label.padEnd(16)} ${r.code === 0 ? "completed" : `FAILED (exit ${r.code ?? r.signal})`}  peak RSS ${r.maxRssMb ?? "?"} MB  ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function writeCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  out.write("name,city,address,latitude,longitude,phone,whatsapp,telegram,categories,languages\n");
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const n = String(i).padStart(7, "0");
    const line = `Bench Partner ${n},Sialkot,"Plot ${i}, Bench Road, Near the Big Mosque",${(24 + (i % 1000) / 100).toFixed(5)},${(67 + (i % 900) / 100).toFixed(5)},+92 000 0${n},+92000${n},bench_${n},surgical instruments;sports goods;leather,en;ur\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once("drain", () => r()));
    written += line.length;
    i++;
  }
  await new Promise<void>((r) => out.end(() => r()));
  return i;
}

function child(file: string, db: string, heap: number): Promise<{ code: number | null; signal: string | null; maxRssMb?: number }> {
  return new Promise((resolve) => {
    const flags = [...(heap ? [`--max-old-space-size=${heap}`] : []), "--import", "tsx", "bench/partners-import-memory.ts", "--child", "--file", file];
    const p = spawn(process.execPath, flags, { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${db}`, LOG_LEVEL: "silent" }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code, signal) => {
      const kb = /maxrss (\d+)/.exec(err)?.[1];
      resolve({ code, signal, maxRssMb: kb ? Math.round(Number(kb) / 1024) : undefined });
    });
  });
}
