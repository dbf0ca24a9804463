/**
 * Every key exists in every language, with the same interpolation variables, and the
 * fallback rules hold (ur-Latn → en, never Urdu script).
 */
import { describe, expect, it } from "vitest";
import { createI18n, readLocaleResources } from "../../src/i18n/index.ts";
import { LANGS } from "../../src/core/types.ts";

type Tree = { [key: string]: unknown };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) for (const [kk, vv] of flatten(v as Tree, key)) out.set(kk, vv);
    else out.set(key, String(v));
  }
  return out;
}

/** Plural forms (_one/_other/…) of one key count as one key. */
const baseKey = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");
const variables = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]).sort();

const resources = readLocaleResources();
const namespaces = [...new Set(LANGS.flatMap((l) => Object.keys(resources[l])))].sort();

describe("locales", () => {
  it("have at least the common namespace", () => {
    expect(namespaces).toContain("common");
  });

  for (const ns of namespaces) {
    describe(ns, () => {
      const flat = Object.fromEntries(LANGS.map((l) => [l, flatten((resources[l][ns] ?? {}) as Tree)])) as Record<string, Map<string, string>>;
      const keysOf = (l: string) => new Set([...flat[l]!.keys()].map(baseKey));
      const all = new Set(LANGS.flatMap((l) => [...keysOf(l)]));

      for (const lang of LANGS) {
        it(`has every key in ${lang}`, () => {
          const missing = [...all].filter((k) => !keysOf(lang).has(k));
          expect(missing, `missing in ${lang}/${ns}.json`).toEqual([]);
        });
      }

      it("uses the same interpolation variables in every language", () => {
        const mismatches: string[] = [];
        for (const key of all) {
          const vars = LANGS.map((l) => {
            const forms = [...flat[l]!.entries()].filter(([k]) => baseKey(k) === key).map(([, v]) => v);
            return JSON.stringify([...new Set(forms.flatMap(variables))].sort());
          });
          if (new Set(vars).size > 1) mismatches.push(`${key}: ${LANGS.map((l, i) => `${l}=${vars[i]}`).join(" ")}`);
        }
        expect(mismatches).toEqual([]);
      });

      it("has no empty strings", () => {
        const empty = LANGS.flatMap((l) => [...flat[l]!.entries()].filter(([, v]) => v.trim() === "").map(([k]) => `${l}:${k}`));
        expect(empty).toEqual([]);
      });

      it("writes Urdu in Urdu script, and Roman Urdu without it", () => {
        const urduScript = /[\u0600-\u06FF]/;
        const bad = [...flat["ur-Latn"]!.entries()].filter(([k, v]) => urduScript.test(v) && !/language|lang/i.test(k)).map(([k]) => k);
        expect(bad, "ur-Latn strings with Urdu script").toEqual([]);
        const latinOnly = [...flat.ur!.entries()].filter(([, v]) => !urduScript.test(v) && /[a-z]{4}/i.test(v)).map(([k]) => k);
        // A few (names of languages, product terms) may be Latin; most must not be.
        expect(latinOnly.length, `ur strings without Urdu script: ${latinOnly.join(", ")}`).toBeLessThanOrEqual(Math.max(3, flat.ur!.size * 0.1));
      });
    });
  }
});

describe("fallback", () => {
  it("falls back from ur-Latn to English, never to Urdu script", () => {
    const i18n = createI18n();
    i18n.instance.addResource("ur", "common", "onlyInUrdu", "صرف اردو");
    i18n.instance.addResource("en", "common", "onlyInUrdu", "English only");
    expect(i18n.t("ur-Latn")("common:onlyInUrdu")).toBe("English only");
    expect(i18n.t("ur")("common:onlyInUrdu")).toBe("صرف اردو");
  });

  it("uses one/other plurals for Urdu", () => {
    expect(new Intl.PluralRules("ur").resolvedOptions().pluralCategories.sort()).toEqual(["one", "other"]);
  });
});
