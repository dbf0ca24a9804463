/** What the evaluation scripts (eval-faq.ts, eval-intents.ts) share: their arguments and their JSON-lines files. */
import { existsSync, readFileSync } from "node:fs";
import type { z } from "zod";

/** `--flag` and `--option value` lookups over this process's arguments. */
export function cliArgs(args = process.argv.slice(2)) {
  return {
    args,
    flag: (name: string) => args.includes(name),
    option: (name: string): string | undefined => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    },
  };
}

/** The lines of an evaluation file, each checked by `schema`; exits 2 when the file is missing, throws `file:line: field: why` on a bad line. */
export function readJsonLines<S extends z.ZodTypeAny>(file: string, schema: S): Array<z.infer<S>> {
  if (!existsSync(file)) {
    console.error(`No evaluation file ${file}`);
    process.exit(2);
  }
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l, i) => [l.trim(), i + 1] as const)
    .filter(([l]) => l)
    .map(([l, n]) => {
      const parsed = schema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file}:${n}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}
