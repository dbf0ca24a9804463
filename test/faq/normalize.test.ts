import { describe, expect, it } from "vitest";
import { foldScript, matchTokens, romanKey, stemEnglish, urduKey } from "../../src/features/faq/normalize.ts";

const same = (a: string, b: string) => expect(matchTokens(a)).toEqual(matchTokens(b));

describe("Urdu script", () => {
  it("maps Arabic keyboard letters to Urdu forms", () => {
    expect(foldScript("كيا")).toBe("کیا"); // kaf, yeh
    expect(foldScript("رجسٹريشن")).toBe("رجسٹریشن");
    expect(foldScript("ى")).toBe("ی"); // alef maksura
  });

  it("turns Arabic heh into do-chashmi after aspirating consonants and into heh goal elsewhere", () => {
    expect(foldScript("بهی")).toBe("بھی");
    expect(foldScript("كهاں")).toBe("کھاں");
    expect(foldScript("هے")).toBe("ہے");
    expect(foldScript("مدرسة")).toBe("مدرسہ"); // teh marbuta
  });

  it("removes diacritics, tatweel, ZWNJ/ZWJ and unifies alef and hamza variants", () => {
    expect(foldScript("مُعَاشَرَہ")).toBe("معاشرہ");
    expect(foldScript("پاکـــستان")).toBe("پاکستان");
    expect(foldScript("کمپنی\u200Cکا\u200D")).toBe("کمپنیکا");
    expect(foldScript("آپ أنا إذا")).toBe("اپ انا اذا");
    expect(foldScript("ؤ ۂ")).toBe("و ہ");
  });

  it("makes Urdu and Arabic-Indic digits ASCII and Urdu punctuation spaces", () => {
    expect(foldScript("۱۳۴۸۵ ٣")).toBe("13485 3");
    expect(foldScript("کیا؟ ہاں، ٹھیک۔")).toBe("کیا  ہاں  ٹھیک ");
  });

  it("reads presentation forms as letters", () => {
    expect(foldScript("\uFEEB\uFEE8")).toBe("ہن"); // heh + noon isolated/initial forms
  });

  it("matches ھ/ہ, ے/ی and ں/ن typed either way, and plural endings", () => {
    expect(urduKey("بھی")).toBe(urduKey("بہی"));
    expect(urduKey("کیسے")).toBe(urduKey("کیسی"));
    expect(urduKey("میں")).toBe(urduKey("مین"));
    expect(urduKey("دستاویزات")).toBe(urduKey("دستاویز"));
    same("تصدیق کتنے دن میں ہوتی ہے؟", "تَصدِیق كتنے دن ميں هوتی هے");
  });
});

describe("Roman Urdu", () => {
  it("merges common spelling variants", () => {
    for (const [a, b] of [["kaise", "kesay"], ["kaisay", "kese"], ["hai", "hy"], ["he", "hay"], ["chahiye", "chahye"], ["chaiye", "chahie"], ["karna", "krna"], ["nahi", "nhi"], ["nai", "nahin"], ["mein", "main"], ["me", "mai"], ["aur", "or"], ["kya", "kia"]]) {
      expect(romanKey(a!), `${a} ~ ${b}`).toBe(romanKey(b!));
    }
  });

  it("collapses doubled letters and long vowels and drops a trailing h", () => {
    expect(romanKey("zaroori")).toBe(romanKey("zaruri"));
    expect(romanKey("tasdeeq")).toBe(romanKey("tasdiq"));
    expect(romanKey("paisay")).toBe(romanKey("paise"));
    expect(romanKey("bhejnaa")).toBe(romanKey("bhejna"));
    expect(romanKey("yeh")).toBe(romanKey("ye"));
    expect(romanKey("tareeqa")).toBe(romanKey("tareeka"));
  });
});

describe("English", () => {
  it("folds case and plurals", () => {
    same("DOCUMENTS", "document");
    expect(stemEnglish("categories")).toBe("category");
    expect(stemEnglish("boxes")).toBe("box");
    expect(stemEnglish("business")).toBe("business");
    expect(stemEnglish("status")).toBe("status");
    expect(stemEnglish("uploading")).toBe("upload");
  });

  it("keeps nouns in -ing and words whose s is no plural apart from the word they look like", () => {
    expect(romanKey("listing")).not.toBe(romanKey("list")); // a product listing is not a list
    expect(romanKey("listings")).toBe(romanKey("listing"));
    expect(romanKey("training")).not.toBe(romanKey("train")); // nor a train ticket
    expect(romanKey("news")).not.toBe(romanKey("new"));
  });
});

describe("matchTokens", () => {
  it("strips greetings, filler and function words in all three forms", () => {
    expect(matchTokens("AoA sir, please tell me the fees")).toEqual(matchTokens("fees"));
    expect(matchTokens("salam bhai fees kitni hai plz")).toEqual(matchTokens("fees"));
    expect(matchTokens("السلام علیکم بھائی فیس کتنی ہے")).toEqual(matchTokens("فیس"));
  });

  it("keeps numbers that mean something and drops lone digits", () => {
    expect(matchTokens("ISO ۱۳۴۸۵ certificate 2")).toEqual(["iso", "13485", "certificate"]);
  });

  it("returns nothing for emoji, punctuation or empty text", () => {
    expect(matchTokens("😀🎉👍")).toEqual([]);
    expect(matchTokens("?!...")).toEqual([]);
    expect(matchTokens("")).toEqual([]);
  });

  it("reads zalgo and accented text as its letters", () => {
    expect(matchTokens("v\u0300\u0301e\u0302r\u0303ification")).toEqual(matchTokens("verification"));
  });
});

describe("typing variants that generalise", () => {
  it("merges SMS spellings of Roman Urdu words", () => {
    for (const [a, b] of [["krni", "karni"], ["bht", "bohat"], ["ziada", "zyada"], ["ktne", "kitne"], ["sb", "sab"], ["plz", "please"], ["kch", "kuch"], ["thk", "theek"]]) {
      expect(romanKey(a!), `${a} ~ ${b}`).toBe(romanKey(b!));
    }
    same("plz documents btao kitne lagenge", "please documents batao kitne lagenge");
  });

  it("drops function words in the spellings people type on a phone", () => {
    // Light verbs and pronouns as typed in a hurry, joined ("kardo", "hogaya") or cut short.
    same("mera account kholna hy kro plz", "account kholna");
    same("verification hogaya kya", "verification");
    same("documents bhej kardo", "documents bhej");
    same("hme fees btao pr kb", "fees");
    same("krein krun kry gya gyi rha rhe wla wle", "");
    same("wat abt fees", "fees");
  });

  it("merges aspirated consonants typed without the h (bh, dh, gh, jh)", () => {
    for (const [a, b] of [["bejna", "bhejna"], ["dundna", "dhundna"], ["galat", "ghalat"], ["jagra", "jhagra"]]) {
      expect(romanKey(a!), `${a} ~ ${b}`).toBe(romanKey(b!));
    }
  });

  it("reads Urdu typed on an Arabic or Persian keyboard (no ٹ ڈ ڑ, Arabic ي ك ه)", () => {
    expect(urduKey("تیکس")).toBe(urduKey("ٹیکس"));
    expect(urduKey("داک")).toBe(urduKey("ڈاک"));
    same("مال پهنچا", "مال پہنچا");
    same("پرودکت اپ لود کیسے کروں", "پروڈکٹ اپ لوڈ کیسے کروں");
    same("اشیاء", "اشیا");
  });

  it("ignores zero-width characters, soft hyphens and direction marks", () => {
    same("regis\u200Btration", "registration");
    same("verifi\u00ADcation", "verification");
    same("\u200Fرجسٹریشن\u200E", "رجسٹریشن");
    same("فیس\u2060", "فیس");
  });

  it("splits numbers glued to letters and joins acronyms spelt letter by letter", () => {
    expect(matchTokens("200kg shipment")).toEqual(["200", "kg", "shipment"]);
    expect(matchTokens("iso9001")).toEqual(["iso", "9001"]);
    expect(matchTokens("ایف بی آر")).toEqual(matchTokens("fbr"));
    expect(matchTokens("این ٹی این")).toEqual(matchTokens("NTN"));
  });
});
