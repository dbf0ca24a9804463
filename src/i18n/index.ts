/**
 * i18next set up from locales/{en,ur,ur-Latn}/<namespace>.json. Each feature owns a
 * namespace file; every file in the folders is loaded, so a new feature needs no wiring.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type i18n as I18nInstance, type TFunction } from "i18next";
import { LANGS, type Lang } from "../core/types.ts";

/** The project's locales folder. */
export const LOCALES_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../locales");

/** Translation function bound to one language. Keys are `namespace:path.to.key`. */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

/** The loaded translations. */
export interface I18n {
  instance: I18nInstance;
  /** Translator for one language. */
  t(lang: Lang): Translate;
  namespaces: string[];
}

/** Reads every namespace file of every language. */
export function readLocaleResources(dir = LOCALES_DIR): Record<Lang, Record<string, unknown>> {
  const out = {} as Record<Lang, Record<string, unknown>>;
  for (const lang of LANGS) {
    const langDir = join(dir, lang);
    out[lang] = {};
    if (!existsSync(langDir)) continue;
    for (const file of readdirSync(langDir).filter((f) => f.endsWith(".json")).sort()) {
      out[lang][file.replace(/\.json$/, "")] = JSON.parse(readFileSync(join(langDir, file), "utf8"));
    }
  }
  return out;
}

/** Creates an initialised i18next instance (synchronous: resources are in memory). */
export function createI18n(dir = LOCALES_DIR): I18n {
  const resources = readLocaleResources(dir);
  const namespaces = [...new Set(LANGS.flatMap((l) => Object.keys(resources[l])))];
  const instance = i18next.createInstance();
  void instance.init({
    resources: resources as never,
    lng: "en",
    ns: namespaces,
    defaultNS: "common",
    // "ur-Latn" must never resolve to "ur" (Urdu script) for a reader of Roman Urdu:
    // load only the exact code and fall back to English.
    load: "currentOnly",
    supportedLngs: [...LANGS],
    nonExplicitSupportedLngs: false,
    fallbackLng: { "ur-Latn": ["en"], ur: ["en"], default: ["en"] },
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  } as never);
  const cache = new Map<Lang, Translate>();
  return {
    instance,
    namespaces,
    t(lang) {
      let t = cache.get(lang);
      if (!t) {
        t = memoisePlain(instance.getFixedT(lang));
        cache.set(lang, t);
      }
      return t;
    },
  };
}

/** Most strings a bot sends are keys without parameters; more distinct keys than this are not remembered. */
const PLAIN_KEYS_MAX = 4096;

/**
 * A translator that remembers the strings of keys asked for without parameters. Each i18next
 * call copies its whole options object a few times (kilobytes per call, several calls per
 * reply: the menu alone is eight); the resources never change after start, so a key without
 * parameters always gives the same string. Calls with parameters go to i18next every time.
 */
function memoisePlain(fixed: TFunction): Translate {
  const plain = new Map<string, string>();
  return (key, params) => {
    if (params !== undefined) return String(fixed(key, params as never));
    let text = plain.get(key);
    if (text === undefined) {
      text = String(fixed(key));
      if (plain.size < PLAIN_KEYS_MAX) plain.set(key, text);
    }
    return text;
  };
}
