// Which test files depend on the database under test. `npm test` runs the whole suite on
// SQLite, then only these files again on PostgreSQL: a test that never opens the test
// database (the understanding step, the FAQ matcher, adapters' translation, i18n) gives the
// same result on both, so running it twice only costs CI time.
//
// A file depends on the database when it, or a file it reaches through relative imports or
// through a `.ts` path it names (a child process it spawns), imports
// test/support/database.ts or reads TEST_DATABASE itself.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const REPO = resolve(dirname(new URL(import.meta.url).pathname), "..");
const SPECIFIER = /(?:from\s+|import\s*\(\s*|["'`])(\.{1,2}\/[^"'`]+?\.ts)["'`]/g;
const NAMED_TS = /["'`]([\w./-]+\.ts)["'`]/g;

/** Every `.ts` file under `dir`, recursively. */
function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The test-tree files `file` reaches directly: relative imports, and `.ts` paths it names. */
function references(file, root) {
  const test = join(root, "test");
  const source = readFileSync(file, "utf8");
  const found = new Set();
  for (const [, spec] of source.matchAll(SPECIFIER)) found.add(resolve(dirname(file), spec));
  for (const [, name] of source.matchAll(NAMED_TS)) {
    for (const base of [dirname(file), root]) {
      const path = resolve(base, name);
      if (path.startsWith(test) && existsSync(path)) found.add(path);
    }
  }
  return [...found].filter((path) => path.startsWith(test) && existsSync(path));
}

/** Test files (test/**\/*.test.ts) under `root` that reach the test database, relative to `root`. */
export function databaseTestFiles(root = REPO) {
  const files = tsFiles(join(root, "test"));
  const support = join(root, "test", "support", "database.ts");
  const direct = (file) => file === support || /TEST_DATABASE|testProvider/.test(readFileSync(file, "utf8"));
  // Breadth-first over references; the tree is small, so no memo (and no cycle pitfalls).
  const reaches = (start) => {
    const seen = new Set([start]);
    for (const queue = [start]; queue.length > 0; ) {
      const file = queue.shift();
      if (direct(file)) return true;
      for (const ref of references(file, root)) if (!seen.has(ref)) seen.add(ref), queue.push(ref);
    }
    return false;
  };
  return files.filter((file) => file.endsWith(".test.ts") && reaches(file)).map((file) => relative(root, file)).sort();
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  for (const file of databaseTestFiles()) console.log(file);
}
