/**
 * Text normalisation for FAQ matching. Questions arrive in English, Urdu script and Roman
 * Urdu, typed on Arabic keyboards, with diacritics, spelling variants and greetings in front.
 * Everything that is indexed and everything that is asked goes through {@link matchTokens},
 * so any rule applies to both sides alike: a rule only has to map variants onto the same
 * key, not onto a "correct" spelling.
 */
import { asciiDigits } from "../../core/text.ts";

// Arabic-keyboard letters that have a distinct Urdu form.
const ARABIC_TO_URDU: Record<string, string> = {
  "\u064A": "\u06CC", // ي Arabic yeh → ی
  "\u0649": "\u06CC", // ى alef maksura → ی
  "\u0643": "\u06A9", // ك Arabic kaf → ک
  "\u0629": "\u06C1", // ة teh marbuta → ہ
  "\u06C3": "\u06C1", // ۃ teh marbuta goal → ہ
  "\u06D5": "\u06C1", // ە ae (what ۀ decomposes to) → ہ
  "\u0671": "\u0627", // ٱ alef wasla → ا
};

const ARABIC_LETTERS = /[\u064A\u0649\u0643\u0629\u06C3\u06D5\u0671\u0647]/g;

// After these letters an Arabic ه is the aspiration mark ھ (بھ پھ تھ …), elsewhere it is ہ.
const ASPIRATING = new Set([..."بپتٹجچدڈرڑکگلمن"].concat(["\u0643"]));

// Harakat, superscript alef, Quranic marks, tatweel, zero-width characters, BOM.
const URDU_MARKS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200D\u2060\uFEFF]/g;
// Urdu and Arabic punctuation: ۔ ، ؟ ؛ ٪ « » and friends.
const URDU_PUNCTUATION = /[\u06D4\u060C\u061F\u061B\u066A-\u066D\u00AB\u00BB]/g;

/**
 * Writes Urdu the way an Urdu keyboard would: presentation forms and Arabic letters mapped
 * to Urdu ones, diacritics, tatweel and zero-width joiners removed, digits made ASCII,
 * Urdu punctuation turned into spaces. Latin text keeps its letters (accents are dropped).
 */
export function foldScript(text: string): string {
  if (/^[\x00-\x7F]*$/.test(text)) return text; // plain ASCII: nothing to fold
  // NFKD splits presentation forms and precomposed letters (آ ۂ ئ ؤ é) into base + mark.
  const decomposed = asciiDigits(text.normalize("NFKD")).replace(URDU_MARKS, "").replace(/\p{M}/gu, "");
  const out = decomposed.replace(ARABIC_LETTERS, (ch, offset: number, whole: string) =>
    ch === "\u0647" ? (ASPIRATING.has(whole[offset - 1] ?? "") ? "\u06BE" : "\u06C1") : (ARABIC_TO_URDU[ch] ?? ch),
  );
  return out.replace(URDU_PUNCTUATION, " ");
}

/**
 * A matching key for one Urdu-script word. Beyond {@link foldScript} it merges letters people
 * use interchangeably when typing fast: ھ/ہ, ے/ی, ں/ن; and drops the plural endings وں / ات.
 */
export function urduKey(word: string): string {
  let w = word.replace(/\u06BE/g, "\u06C1").replace(/[\u06D2\u06D3]/g, "\u06CC").replace(/\u06BA/g, "\u0646");
  if (w.length >= 5 && (w.endsWith("\u0648\u0646") || w.endsWith("\u0627\u062A"))) w = w.slice(0, -2);
  return w;
}

// Roman Urdu words whose spellings differ too much for the generic rules (mostly function words).
const ROMAN_VARIANTS: Record<string, string[]> = {
  kaise: ["kaise", "kese", "kesay", "kaisay", "kaisy", "kesy", "kaese", "kaisey", "kesey", "kasy", "kaisa", "kesa", "kaisi", "kesi"],
  hai: ["hai", "hy", "he", "hay", "hae", "ha", "hei"],
  hain: ["hain", "hen", "hein", "hai'n", "hn"],
  chahiye: ["chahiye", "chahye", "chaiye", "chahie", "chahiay", "chahiya", "chaheye", "chahiey", "chahyie", "chaheay", "chahiyeh", "chiye", "chahiyay", "chahiey"],
  karna: ["karna", "krna", "karnaa", "kerna"],
  kar: ["kar", "kr", "ker"],
  karte: ["karte", "krte", "kartay", "krty", "karty"],
  karne: ["karne", "krne", "karnay", "krnay", "kerne"],
  nahi: ["nahi", "nai", "nhi", "nahin", "nahee", "nahi'n", "ni", "nahiin"],
  mein: ["mein", "main", "me", "mai", "mei", "men", "myn"],
  aur: ["aur", "or", "oar", "awr"],
  kya: ["kya", "kia", "kiya", "kyaa", "ky"],
  kyun: ["kyun", "kyon", "kiyun", "kiun", "q", "kyu"],
  mujhe: ["mujhe", "mujhy", "mujhay", "mjhe", "muje", "mujhey", "mje", "mujh"],
  liye: ["liye", "liay", "lie", "lye", "liey", "liyay", "lia"],
  batao: ["batao", "btao", "bataen", "bataye", "batayen", "batain", "bataiye", "bata", "bta", "btayen", "btaen"],
  bhai: ["bhai", "bhae", "bhaii", "bhaijan", "bhaijaan", "bhaiya", "bro"],
};
const VARIANT_OF = new Map<string, string>();
for (const [canonical, variants] of Object.entries(ROMAN_VARIANTS)) for (const v of variants) VARIANT_OF.set(v, canonical);

/** Light English stemming: plurals and -ing/-ed, so "documents" and "document" meet. */
export function stemEnglish(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !/(ss|us|is|ous)$/.test(word) && word.length > 3) return word.slice(0, -1);
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4 && !word.endsWith("eed")) return word.slice(0, -2);
  return word;
}

/**
 * A spelling key for one Latin word (English or Roman Urdu): doubled letters, long vowels
 * written twice (ee, oo, aa), ai/ay/ei/ey → e, w → v, q → k, ph → f, a final h after a
 * vowel, and final y after a consonant. "zaroori"/"zaruri", "tasdeeq"/"tasdiq",
 * "paisay"/"paise"/"pese" each meet on one key.
 */
export function romanKey(word: string): string {
  const variant = VARIANT_OF.get(word);
  if (variant) return variant;
  let w = stemEnglish(word);
  w = w.replace(/ph/g, "f").replace(/w/g, "v").replace(/q/g, "k").replace(/ck/g, "k");
  w = w.replace(/ee/g, "i").replace(/oo/g, "u").replace(/(.)\1+/g, "$1");
  w = w.replace(/a[iy](?=[^aeiou]|$)/g, "e").replace(/e[iy](?=[^aeiou]|$)/g, "e");
  if (w.length > 2 && /[aeiou]h$/.test(w)) w = w.slice(0, -1);
  if (w.length > 2 && /[^aeiou]y$/.test(w)) w = `${w.slice(0, -1)}e`;
  return w;
}

/** The consonant skeleton of a Latin key, used to recover badly misspelt Roman Urdu words. */
export function skeleton(key: string): string {
  return key[0] + key.slice(1).replace(/[aeiouy]/g, "").replace(/(.)\1+/g, "$1");
}

// Greetings, filler and politeness: removed before matching ("salam bhai", "AoA sir", "plz").
const FILLER = `salam salaam slam slm asalam assalam aslam assalamu assalamualaikum asalamualaikum alaikum alaykum
  walaikum aoa hello hi hey hy dear sir madam mam maam sahab sahib janab jnab bhai behan brother sister
  please plz pls plez kindly thanks thank thx shukriya shukria meherbani mehrbani jee ji g ok okay acha achha
  السلام سلام علیکم وعلیکم بھائی بہن جناب سر صاحب پلیز براہ کرم مہربانی شکریہ جی اچھا ہیلو`;

// Function words of the three forms that say nothing about the topic.
const STOPWORDS = `a an the is are was were be been being am do does did done have has had having i me my mine myself
  you your yours we us our they them their he she it its this that these those there here what which who whom
  how when where why can could should would will shall may might must to of in on at by for with from about as
  into than then so if or and but not no yes any some all just also very too up out get got want need know tell
  ka ki ke ko se sy say ne par pe bhi hai hain ho hun hoon hon tha thi the hota hoti hote hoga hogi honge
  kya kaise kab kahan kahaan kidhar kitna kitni kitne kon kaun konsa konsi kis kisi koi kuch
  mujhe mein mera meri mere hum hamara hamari hamare hamen humein ap aap apka aapka apki aapki apke aapke apna apni apne
  tum tumhara ye yeh woh vo wo is us iss uss isko usko isse usse jo jab tab agar lekin magar aur ya phir
  liye karna karne karo karen karein krein kar karta karti karte karun kiya ki gaya gayi sakta sakti sakte skta
  chahiye chahta chahti chahte batao bataiye samjhao nahi na haan han
  wala wali wale paas pas bare baare mutabiq tor taur jata jati jate raha rahi rahe gaya gayi gaye sakun sako saku
  ga gi ge dein den dijiye lo lein yahan wahan idhar udhar jaise matlab ab abhi bas sirf wagaira wagera ek zara
  using usually way thru through via like really actually exactly someone something anything able u ur im let lets
  samajh samjh samjha samjhi samajhna samjhna samajhta samajhti maloom malum
  tip tips advice guide guidance help info information detail details explain question questions regarding
  process procedure way method step steps tareeqa tarika tareeka tariqa maloomat rehnumai tafseel madad
  karana karane karwana karwane krwana krwane karwa karva karao karwao jana jane jaye jayen jaun chahiyen chahiyein
  sake saka doon dun loon lun parta padta parti padti parega padega pare pade
  sirf kabhi hua hui hue
  aaj aj kal parson today tomorrow yesterday now
  deta deti dete dena dene diya de leta leti lete lena lene liya le
  else ever whether which own karega karegi karenge kare kre karoon kro
  کا کی کے کو سے نے پر بھی ہے ہیں ہو ہوں تھا تھی تھے ہوتا ہوتی ہوتے ہوگا ہوگی کیا کیسے کیسا کیسی کب کہاں کتنا کتنی کتنے
  کون کونسا کس کسی کوئی کچھ مجھے میں میرا میری میرے ہم ہمارا ہماری ہمارے ہمیں آپ اپ اپنا اپنی اپنے یہ وہ اس اسے جو جب
  اگر لیکن اور یا پھر لیے لئے کرنا کرنے کریں کرو کر کرتا کرتی کرتے سکتا سکتی سکتے چاہیے چاہئے چاہتا چاہتی بتائیں بتاؤ
  نہیں نہ ہاں گیا گئی گئے گا گی گے والا والی والے پاس بارے مطابق طور جاتا جاتی جاتے رہا رہی رہے سکوں سکیں
  کرانا کرانے کروانا کروانے کرایا کروایا کروائیں کرائیں کرنی جانا جانے جائے جائیں جاؤں چاہییں چاہئیں چاہیئے
  سکے سکا دوں لوں پڑتا پڑتی پڑے پڑے گا ہونی ہونے ہونا طریقہ طریقے معلومات رہنمائی تفصیل مدد پراسیس تو بس صرف ابھی کبھی ہوا ہوئی ہوئے آج کل اب سمجھ سمجھا سمجھی سمجھنا سمجھتا سمجھتی معلوم دیتا دیتی دیتے دینا دینے دیا دی لیتا لیتی لیتے لینا لینے لیا کرے کروں دیں دیجیے دیجئے لیں ہی اب یہاں وہاں جیسے مطلب ایک ذرا کہ`;

/** Splits folded text into raw words (letters and digits). */
function words(folded: string): string[] {
  return folded.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

const ARABIC_LETTER = /[\u0600-\u06FF]/;

// Words repeat a lot (in the index and in questions): remember their keys.
const KEY_CACHE = new Map<string, string>();
const KEY_CACHE_MAX = 50_000;

/** The key of one already folded, lower-cased word. */
export function wordKey(word: string): string {
  let key = KEY_CACHE.get(word);
  if (key !== undefined) return key;
  key = ARABIC_LETTER.test(word) ? urduKey(word) : /^[a-z]+$/.test(word) ? romanKey(word) : word;
  if (KEY_CACHE.size >= KEY_CACHE_MAX) KEY_CACHE.clear();
  KEY_CACHE.set(word, key);
  return key;
}

const keysOf = (list: string) => new Set(list.split(/\s+/).filter(Boolean).map((w) => wordKey(foldScript(w).toLowerCase())));
const FILLER_KEYS = keysOf(FILLER);
const STOP_KEYS = keysOf(STOPWORDS);

/** True when the key is a greeting, filler or function word. */
export function isStopKey(key: string): boolean {
  return FILLER_KEYS.has(key) || STOP_KEYS.has(key);
}

/** Longest question text that is matched; the rest adds nothing but time. */
export const MAX_MATCH_CHARS = 500;

/**
 * The matching tokens of a text: folded, split, keyed, with greetings, filler and function
 * words removed. Single letters and lone digits are dropped; "9001" and "13485" stay.
 * Questions are cut at `maxChars`; the index passes its own (unlimited) length.
 */
export function matchTokens(text: string, maxChars = MAX_MATCH_CHARS): string[] {
  const out: string[] = [];
  for (const word of words(foldScript(text.slice(0, maxChars)))) {
    if (word.length < 2 && !/\d/.test(word)) continue;
    const key = wordKey(word);
    if (key.length < 2 || isStopKey(key)) continue;
    out.push(key);
  }
  return out;
}

/** Every token of a text including function words (for language detection and tests). */
export function allTokens(text: string): string[] {
  return words(foldScript(text.slice(0, MAX_MATCH_CHARS))).map(wordKey);
}
