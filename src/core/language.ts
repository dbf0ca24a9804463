/**
 * Guessing the language of a short message: Urdu script, Roman Urdu or English.
 *
 * Rule for the reply language (docs/decisions/0100-reply-language.md): a language the user
 * picked explicitly always wins; otherwise each message that is detected with confidence
 * switches the reply language to it; otherwise the last language stays (first message:
 * the platform's hint, else English).
 *
 * Messages are short and mixed ("account register karne ke liye kya documents chahiye?"),
 * so detection counts marker words rather than character statistics: English loanwords
 * (account, documents, register) are neutral, Roman Urdu function words and verb endings
 * are strong evidence, and any real amount of Urdu script means the reader reads Urdu.
 */
import type { Lang } from "./types.ts";

/** A detection result; `confident` is false for text too short or mixed to tell. */
export interface Detection {
  lang: Lang;
  confident: boolean;
}

// Words that are frequent in Roman Urdu and rare in English, with common spellings.
const ROMAN_URDU = new Set(
  `hai hain hy hay hae hein hen hu hoon hun hon ho hota hoti hote hona hoga hogi honge hua hui hue tha thi thay
  kya kia kiya kyaa kyun kyon kiyun kyu kaise kaisay kese kesay kaisy kesy kaese kaisey kesey kaisa kaisi kesa kesi
  kahan kahaan kidhar kab kitna kitni kitne kitny kon kaun konsa konsi konse kis kisi koi kuch kuchh
  mujhe mujhy mujhay mjhe muje mje mai mein mera meri mere hum hamara hamari hamare humein hamein ap aap apka aapka
  apki aapki apke aapke apne apna apni tum tumhara tumhari unka unki inka inki
  ka ki ke ko se sy say ne pe bhi nahi nahin nai nhi na haan han ji jee acha achha accha theek thik shukriya meherbani
  karna karne karo karen krna krne kar kr karun karu krun krein karein kro karte krte karta karti kartay
  chahiye chahye chaiye chahie chahiay chahiya chahta chahti chahte
  batao bataen bataye btao bta bata batayen bataiye btayen samjhao dekhna dena lena milega milta milti milte
  sakta sakti sakte skta skti skte sakay sake
  wala wali wale waala waali yeh ye woh wo iss uss jab tab agar lekin magar aur ya phir abhi kal aaj
  liye liay lye wagera waghera sirf bohat bahut bohot zyada ziada kam jaldi baad pehle pehlay saath sath
  paise paisa paisay rupay rupees kharcha faida kaam karobar tijarat dukaan maal bhejna bhejo bhejein
  bhai behan sahib sahab janab salam salaam assalam aoa walaikum alaikum
  tareeqa tarika tareeka zaroori zaruri zarurat zaroorat masla maslah madad kaunsa raqam qeemat kimat
  kese kesay chahiye gaya gayi gaye gai gya gyi diya diye dia liya lia chuka chuki chuke raha rahi rahe rha rhi
  mil mila mili mile pehla pehli pehle pahla aaunga aaungi aayenge jaunga jaungi karunga karungi karenge
  shukria jazakallah khuda hafiz allah hafiz theek thik acha achha bohot bht mujhy mjhe kaun kon kahan kidhar`.split(/\s+/),
);

// Verb stems + endings that only Roman Urdu produces ("bhejna", "milegi", "banaun").
const ROMAN_VERB = /^(?:kar|kr|ho|ja|de|le|mil|bhej|bhij|bata|bta|dekh|likh|parh|par|sun|khol|bana|bna|ban|chal|rakh|lag|aa|mang|bech|kama|bhar|pooch|puch|samajh|sikh|seekh|dal|daal|nikal|badal|dhund|dhoond)(?:na|ne|ni|nay|ta|te|ti|tay|o|ein|en|un|oon|ega|egi|enge|ungi|unga|ogi|oge|iye|ye|ya|yi|ai|aen|ayen|ain|wana|wani|wane|wao|ao)$/;

// Frequent English words that Roman Urdu does not use.
const ENGLISH = new Set(
  `the a an are was were be been being do does did have has had i you she it we they my your our their its
  what how when where why who which whom whose can could should would will shall may might must of in on for with
  from about at by and but not no yes please thanks thank this that these those there here get got need want
  any some much many more most long take takes make makes give send sell buy find tell know help start
  if than then also just only still after before into over under until each every other same such
  am im i'm dont don't cant can't isnt isn't doesnt doesn't whats what's hows`.split(/\s+/),
);
// Spelt the same in both (English "me", Roman "me" = in): evidence for neither.
const AMBIGUOUS = new Set(["me", "is", "to", "or", "main", "so", "par", "hi", "us", "bus", "do", "he", "ha", "in", "ban", "de", "le", "age", "mail", "jo"]);

const URDU_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/g;
const LATIN = /[A-Za-z]/g;

/** Detects the language of `text`. */
export function detectLanguage(text: string): Detection {
  // A bot command ("/start p_ab12") says nothing about the language the person reads.
  if (/^\/[a-z_]+(?:@\w+)?(?:\s+\S+)?\s*$/i.test(text.trim())) return { lang: "en", confident: false };
  // Zero-width characters inside a word ("shuk\u200Briya") would split it into two unknown words.
  const sample = text.slice(0, 2000).replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, "");
  const urdu = sample.match(URDU_SCRIPT)?.length ?? 0;
  const latin = sample.match(LATIN)?.length ?? 0;
  if (urdu === 0 && latin === 0) return { lang: "en", confident: false };
  // Urdu script in any real amount means the reader reads it, even amid English loanwords.
  if (urdu >= 2 && urdu * 2 >= latin) return { lang: "ur", confident: true };
  if (urdu > latin) return { lang: "ur", confident: false };
  const words = sample.toLowerCase().match(/[a-z']+/g) ?? [];
  let roman = 0;
  let english = 0;
  for (const w of words) {
    if (AMBIGUOUS.has(w)) continue;
    if (ROMAN_URDU.has(w) || ROMAN_VERB.test(w)) roman += 1;
    else if (ENGLISH.has(w)) english += 1;
  }
  // A tie goes to Roman Urdu: English speakers rarely type its function words, while Roman
  // Urdu writers use plenty of English nouns and the odd English word ("what", "how").
  if (roman > 0 && roman >= english) return { lang: "ur-Latn", confident: roman >= 2 || words.length <= 3 || roman > english };
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
