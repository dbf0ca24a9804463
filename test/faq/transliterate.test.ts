import { describe, expect, it } from "vitest";
import { joinAcronyms, keyStrength, soundKey, soundsAlike } from "../../src/features/faq/transliterate.ts";
import { foldScript, wordKey } from "../../src/features/faq/normalize.ts";

/** The key the matcher compares: sound of the normalised word key. */
const key = (word: string) => soundKey(wordKey(foldScript(word).toLowerCase()));

describe("soundKey: Urdu script, Roman Urdu and English spellings meet", () => {
  const groups: string[][] = [
    ["رجسٹریشن", "rajistreshan", "registration", "registeration", "rajistration"],
    ["تصویر", "tasveer", "taswir", "tasvir"],
    ["اکاؤنٹ", "account", "acount", "akaunt"],
    ["ویریفیکیشن", "verification", "verfication"],
    ["سرٹیفکیٹ", "certificate", "sartifikat"],
    ["کاغذ", "kaghaz", "kagaz", "kaghz"],
    ["خرچہ", "kharcha", "karcha"],
    ["کھولنا", "kholna"],
    ["ایکسپورٹ", "export", "eksport"],
    ["بزنس", "business", "bizness"],
    ["پیکیج", "package", "pakage"],
    ["ٹیکس", "tax", "ٹيكس"],
    ["انکوائری", "inquiry", "enquiry"],
    ["ڈاکومنٹس", "documents", "document"],
    ["شکایت", "shikayat", "shikayt"],
    ["قیمت", "qeemat", "keemat", "qimat"],
  ];
  for (const group of groups) {
    it(group.join(" / "), () => {
      const keys = group.map(key);
      expect(new Set(keys).size, keys.join(" ")).toBe(1);
      expect(keys[0]).not.toBe("");
    });
  }

  it("reads Arabic-keyboard letters like Urdu ones", () => {
    expect(key("رجسٹريشن")).toBe(key("رجسٹریشن"));
    expect(key("تصوير")).toBe(key("تصویر"));
  });

  it("keeps different words apart", () => {
    for (const [a, b] of [["leather", "weather"], ["sample", "samples and"], ["tax", "text"], ["order", "border"], ["fee", "free"], ["bank", "band"]]) {
      expect(soundsAlike(a!, b!), `${a} ~ ${b}`).toBe(false);
    }
  });

  it("gives digits and empty words no key", () => {
    expect(soundKey("")).toBe("");
    expect(soundsAlike("", "")).toBe(false);
  });

  it("counts consonants, not the leading vowel mark", () => {
    expect(keyStrength(soundKey("account"))).toBe(3); // a·k·n·t
    expect(keyStrength(soundKey("tasveer"))).toBe(3);
  });
});

describe("joinAcronyms", () => {
  const join = (text: string) => joinAcronyms(foldScript(text).split(" "));

  it("joins English letters spelt in Urdu script", () => {
    expect(join("ایف بی آر کا ٹیکس")).toEqual(["fbr", "کا", "ٹیکس"]);
    expect(join("این ٹی این")).toEqual(["ntn"]);
    expect(join("سی ای مارکنگ")).toEqual(["ce", "مارکنگ"]);
    expect(join("آئی ایس او 9001")).toEqual(["iso", "9001"]);
  });

  it("leaves letter names that are everyday words alone", () => {
    expect(join("بہت سی انکوائریز")).toEqual(foldScript("بہت سی انکوائریز").split(" "));
    expect(join("جی اچھا")).toEqual(["جی", "اچھا"]);
    expect(join("فیس کے لیے")).toEqual(["فیس", "کے", "لیے"]); // کے is "ke", never K
  });
});
