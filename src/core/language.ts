/**
 * Guessing the language of a short message: Urdu script, Roman Urdu or English.
 *
 * Rule for the reply language (docs/decisions/0003-reply-language.md): a language the user
 * picked explicitly always wins; otherwise each message that is detected with confidence
 * switches the reply language to it; otherwise the last language stays (first message:
 * the platform's hint, else English).
 */
import type { Lang } from "./types.ts";

/** A detection result; `confident` is false for text too short or mixed to tell. */
export interface Detection {
  lang: Lang;
  confident: boolean;
}

// Words that are frequent in Roman Urdu and rare in English, with common spellings.
const ROMAN_URDU = new Set(
  `hai hain hy he hay ha hein hen hu hoon hun hon ho hota hoti hote hona
  kya kia kiya kyaa kyun kyon kiyun kaise kaisay kese kesay kaisy kesy kaese kahan kahaan kidhar kab kitna kitni kitne kon kaun konsa
  mujhe mujhy mujhay mjhe muje mein mai main mera meri mere hum hamara hamari ap aap apka aapka apki aapki apne tum tumhara
  ka ki ke ko se sy say ne par pe bhi nahi nahin nai na haan han ji jee acha achha theek thik shukriya meherbani
  karna karne karo karen krna krne kar kr karun karu kiya krein karein chahiye chahye chaiye chahie chahiay chahiya chahta chahti
  batao bataen bataye btao bta bata batayen samjhao dekhna dena lena milega milta milti sakta sakti sakte skta
  wala wali wale waala yeh ye woh wo is us iss uss jab tab agar lekin magar aur ya phir abhi kal aaj
  paise paisa rupay rupees kharcha faida kaam karobar tijarat dukaan maal bhejna bhejo bhai behan sahib janab
  salam assalam aoa walaikum`.split(/\s+/),
);

// Frequent English function words, so "is it free" is not called Roman Urdu for "is".
const ENGLISH = new Set(
  `the a an is are was were be been do does did have has had i you he she it we they my your our their
  what how when where why who which can could should would will shall may might must to of in on for with
  from about at by and or but not no yes please thanks thank this that these those there here get need want`.split(/\s+/),
);

const URDU_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/g;
const LATIN = /[A-Za-z]/g;

/** Detects the language of `text`. */
export function detectLanguage(text: string): Detection {
  const urdu = text.match(URDU_SCRIPT)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  if (urdu === 0 && latin === 0) return { lang: "en", confident: false };
  if (urdu >= latin) return { lang: "ur", confident: urdu >= 2 };
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  let roman = 0;
  let english = 0;
  for (const w of words) {
    if (ROMAN_URDU.has(w)) roman += 1;
    else if (ENGLISH.has(w)) english += 1;
  }
  // Ambiguous words ("me", "is") are left out of both lists; ties go to Roman Urdu only
  // when it has at least one marker, since English speakers rarely type those words.
  if (roman > 0 && roman >= english) return { lang: "ur-Latn", confident: roman >= 2 || words.length <= 3 };
  return { lang: "en", confident: english >= 1 || words.length >= 3 };
}

/** Maps a platform language hint (`ur`, `en-GB`, …) to a reply language. */
export function langFromHint(hint: string | undefined): Lang | undefined {
  if (!hint) return undefined;
  const h = hint.toLowerCase();
  if (h === "ur" || h.startsWith("ur-") && !h.includes("latn")) return "ur";
  if (h.includes("latn")) return "ur-Latn";
  if (h.startsWith("en")) return "en";
  return undefined;
}
