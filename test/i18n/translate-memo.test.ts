/**
 * The translator remembers strings of keys asked for without parameters (i18next copies its
 * options on every call: the main source of allocations per reply). Remembered or not, the
 * strings are i18next's own, per language, and calls with parameters are interpolated.
 */
import { describe, expect, it, vi } from "vitest";
import { createI18n } from "../../src/i18n/index.ts";
import { LANGS } from "../../src/core/types.ts";

describe("translator", () => {
  it("gives i18next's strings in every language, also the second time", () => {
    const i18n = createI18n();
    for (const lang of LANGS) {
      const expected = String(i18n.instance.getFixedT(lang)("common:menu.title"));
      expect(i18n.t(lang)("common:menu.title")).toBe(expected);
      expect(i18n.t(lang)("common:menu.title")).toBe(expected);
    }
    expect(i18n.t("ur")("common:menu.title")).not.toBe(i18n.t("en")("common:menu.title"));
  });

  it("asks i18next once for a key without parameters, every time for a key with them", () => {
    const i18n = createI18n();
    const t = i18n.t("en");
    const calls = vi.spyOn(i18n.instance, "t");
    t("common:menu.title");
    t("common:menu.title");
    t("common:menu.title");
    expect(calls).toHaveBeenCalledTimes(1);
    expect(t("common:welcome", { name: " Asma" })).toContain("Assalam-o-Alaikum Asma!");
    expect(t("common:welcome", { name: " Bilal" })).toContain("Assalam-o-Alaikum Bilal!");
    expect(calls).toHaveBeenCalledTimes(3);
  });

  it("returns the key for a missing key, as i18next does", () => {
    const t = createI18n().t("ur-Latn");
    expect(t("common:no.such.key")).toBe("no.such.key");
    expect(t("common:no.such.key")).toBe("no.such.key");
  });
});
