/**
 * Text normalisation for FAQ matching. Questions arrive in English, Urdu script and Roman
 * Urdu, typed on Arabic keyboards, with diacritics, spelling variants and greetings in front.
 * Everything that is indexed and everything that is asked goes through {@link matchTokens},
 * so any rule applies to both sides alike: a rule only has to map variants onto the same
 * key, not onto a "correct" spelling.
 */
import { asciiDigits } from "../../core/text.ts";
import { joinAcronyms } from "./transliterate.ts";

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

// Harakat, superscript alef, Quranic marks, tatweel; invisible characters: zero-width space
// and joiners, word joiner, BOM, soft hyphen, direction marks and embeddings.
const URDU_MARKS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u2060\uFEFF\u00AD\u061C\u202A-\u202E\u2066-\u2069]/g;
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
  // Arabic and Persian keyboards have no ٹ ڈ ڑ: people type ت د ر (or ط); a lone hamza ء
  // is often left out ("اشیاء" / "اشیا").
  w = w.replace(/[\u0679\u0637]/g, "\u062A").replace(/\u0688/g, "\u062F").replace(/\u0691/g, "\u0631").replace(/\u0621/g, "");
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
  // SMS spellings: vowels left out, as people type on a phone keypad.
  karni: ["karni", "krni", "kerni"],
  karta: ["karta", "krta", "kerta"],
  karti: ["karti", "krti", "kerti"],
  bohat: ["bohat", "bohot", "bahut", "bht", "boht", "bhot", "bohut", "bahot"],
  zyada: ["zyada", "ziada", "ziyada", "zada", "ziyadah", "zayada", "jyada"],
  kitna: ["kitna", "ktna", "kitnaa"],
  kitni: ["kitni", "ktni"],
  kitne: ["kitne", "ktne", "kitny", "kitnay"],
  sab: ["sab", "sb", "sub"],
  kuch: ["kuch", "kch", "kuchh", "kuj"],
  theek: ["theek", "thik", "thek", "thk", "theak"],
  apne: ["apne", "apny", "apnay"],
  konsa: ["konsa", "kaunsa", "konsi", "kaunsi", "konse", "kaunse", "konsy"],
  sakta: ["sakta", "skta", "sktaa"],
  sakte: ["sakte", "skte", "sakty", "saktay"],
  please: ["please", "plz", "pls", "plez", "plzz", "plss", "pleas"],
  hoga: ["hoga", "hga", "hogaa"],
  hogi: ["hogi", "hgi", "hogee"],
  par: ["par", "pr", "pe", "py"],
  se: ["se", "sy", "sey", "sa"],
  ko: ["ko", "ku", "ku"],
  aap: ["aap", "ap", "aapp", "aaap"],
  abhi: ["abhi", "abi", "abhe", "abhee"],
  kab: ["kab", "kb"],
  kahan: ["kahan", "kahaan", "kahn", "kahaa"],
  kaun: ["kaun", "kon", "koun", "kaon", "kn"],
  woh: ["woh", "wo", "vo", "voh", "wuh"],
  yeh: ["yeh", "ye", "yh", "yehi", "yahi", "yhi"],
  agar: ["agar", "agr"],
  lekin: ["lekin", "lkn", "lekn", "laikin"],
  magar: ["magar", "mgr"],
  phir: ["phir", "phr", "fir", "pher"],
  bas: ["bas", "bs"],
  jab: ["jab", "jb"],
  hum: ["hum", "ham", "hm"],
  hamen: ["hamen", "hamein", "humein", "humain", "hme", "hmen", "hamain", "hamay", "hame"],
  hamara: ["hamara", "hmara", "humara", "hamra"],
  mera: ["mera", "mra", "mere", "mery", "meri", "mri", "mre"],
  tum: ["tum", "tm"],
  karo: ["karo", "kro", "kara"],
  karen: ["karen", "karein", "krein", "kren", "krain", "karain", "krn", "kare", "kry", "karay"],
  karun: ["karun", "karoon", "krun", "kron", "karoo", "karu", "kru", "krun"],
  karega: ["karega", "krega", "karegi", "kregi", "karenge", "krenge", "karoge", "kroge"],
  hua: ["hua", "huwa", "hova", "howa", "hui", "hue", "huay", "hoi", "hoe"],
  gaya: ["gaya", "gya", "gaia", "gayi", "gai", "gyi", "gaee", "gaye", "gae", "gye"],
  raha: ["raha", "rha", "rhaa", "rahi", "rhi", "rahe", "rhe", "rahay", "rahy"],
  sakti: ["sakti", "skti"],
  sake: ["sake", "saken", "sakun", "skun", "sakoon", "saku", "sakein"],
  wala: ["wala", "wla", "vala", "wali", "wly", "wale", "waly", "walay", "wle", "vale"],
  // Light verbs typed joined to their word ("kardo", "hogaya", "dedo").
  kar_joined: ["kardo", "kardein", "kardain", "kardijiye", "kardena", "kardiya", "kardia", "kardi", "krdo", "krdi", "krdia", "krdiya", "krden", "kardeta", "kardete", "karlo", "krlo", "karlein", "karlen"],
  ho_joined: ["hogaya", "hogya", "hogayi", "hogai", "hogae", "hojaye", "hojae", "hojata", "hojati", "hojate", "hojayega", "hojayegi", "hojaega", "hojaegi", "hosakta", "hoskta", "hosakti"],
  de_joined: ["dedo", "dedein", "dedijiye", "dedena", "dediya", "dedi"],
  // English as typed in a hurry.
  what: ["what", "wat", "wht", "whats"],
  how: ["how", "hw", "hows"],
  about: ["about", "abt"],
  can: ["can", "cn", "cant", "cannot"],
  want: ["want", "wanna", "wnt"],
  "do": ["do", "dont", "doesnt", "didnt"],
};
const VARIANT_OF = new Map<string, string>();
// "kar_joined" and the like are joined forms of a light verb: they are the light verb itself.
for (const [canonical, variants] of Object.entries(ROMAN_VARIANTS)) for (const v of variants) VARIANT_OF.set(v, canonical.replace(/_joined$/, ""));

// Nouns in -ing that are not "doing the verb" ("a listing" is not "a list", "training" is not a
// train): they keep their ending (plurals still go: "listings").
const ING_NOUNS = new Set(["listing", "training", "building", "marketing", "wedding", "clothing", "morning", "evening", "ceiling", "during", "setting", "sibling"]);

// Words whose final s is not a plural ending ("news" is not "new", "always" not "alway"). "goods"
// stays "good" (they meet the product concept either way), "customs" stays "custom" (sellers
// write "custom agent" for the customs agent).
const NOT_PLURALS = new Set(["news", "means", "series", "species", "always", "perhaps", "premises", "thanks"]);

/** Light English stemming: plurals and -ing/-ed, so "documents" and "document" meet. */
export function stemEnglish(word: string): string {
  if (word.length <= 3) return word;
  if (ING_NOUNS.has(word) || NOT_PLURALS.has(word)) return word;
  if (word.endsWith("ings") && ING_NOUNS.has(word.slice(0, -1))) return word.slice(0, -1);
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("ches") || word.endsWith("shes") || word.endsWith("sses") || word.endsWith("xes")) return word.slice(0, -2);
  if (word.endsWith("s") && !(word.endsWith("ss") || word.endsWith("us") || word.endsWith("is"))) return word.slice(0, -1);
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4 && !word.endsWith("eed")) return word.slice(0, -2);
  return word;
}

const IS_VOWEL = (ch: string | undefined) => ch === "a" || ch === "e" || ch === "i" || ch === "o" || ch === "u";

/**
 * A spelling key for one Latin word (English or Roman Urdu): doubled letters, long vowels
 * written twice (ee, oo, aa), ai/ay/ei/ey → e, w → v, q → k, ph → f, a final h after a
 * vowel, and final y after a consonant. "zaroori"/"zaruri", "tasdeeq"/"tasdiq",
 * "paisay"/"paise"/"pese" each meet on one key. One pass over the letters (it runs for every
 * new word of the knowledge base and of questions).
 */
export function romanKey(word: string): string {
  const variant = VARIANT_OF.get(word);
  if (variant) return variant;
  const stem = stemEnglish(word);
  // ph → f, w → v, q → k, ck → k; then ee → i, oo → u; then doubled letters collapse.
  let w = "";
  for (let i = 0; i < stem.length; i++) {
    const ch = stem[i]!;
    const next = stem[i + 1];
    let out: string = ch;
    if (ch === "p" && next === "h") [out, i] = ["f", i + 1];
    // Aspiration is typed at random in Roman Urdu: bh/b, dh/d, gh/g, jh/j ("bejna", "dundna", "galat").
    else if (next === "h" && (ch === "b" || ch === "d" || ch === "g" || ch === "j")) [out, i] = [ch, i + 1];
    else if (ch === "c" && next === "k") [out, i] = ["k", i + 1];
    else if (ch === "w") out = "v";
    else if (ch === "q") out = "k";
    else if (ch === "e" && next === "e") [out, i] = ["i", i + 1];
    else if (ch === "o" && next === "o") [out, i] = ["u", i + 1];
    if (out !== w[w.length - 1]) w += out;
  }
  // ai/ay/ei/ey → e before a consonant or at the end.
  let v = "";
  for (let i = 0; i < w.length; i++) {
    const ch = w[i]!;
    const next = w[i + 1];
    if ((ch === "a" || ch === "e") && (next === "i" || next === "y") && !IS_VOWEL(w[i + 2])) {
      v += "e";
      i += 1;
    } else v += ch;
  }
  if (v.length > 2 && v.endsWith("h") && IS_VOWEL(v[v.length - 2])) v = v.slice(0, -1);
  if (v.length > 2 && v.endsWith("y") && !IS_VOWEL(v[v.length - 2])) v = `${v.slice(0, -1)}e`;
  return v;
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
  ask asking asked pooch puch poochna puchna pochna poochni puchni poochhna poochta puchta poochte puchte poochun puchun
  process procedure way method step steps tareeqa tarika tareeka tariqa maloomat rehnumai tafseel madad
  karana karane karwana karwane krwana krwane karwa karva karao karwao jana jane jaye jayen jaun chahiyen chahiyein
  sake saka doon dun loon lun parta padta parti padti parega padega pare pade
  sirf kabhi hua hui hue theek bohat bilkul zaroor
  aaj aj kal parson today tomorrow yesterday now
  deta deti dete dena dene diya de leta leti lete lena lene liya le
  else ever whether which own karega karegi karenge kare kre karoon kro
  other others another both each same still once often until ago came gave made lot lots much many more most always never
  even already yet again kind sort thing things stuff anyone everyone everything nothing somebody anybody okay
  aa aata aati aate aaya aayi aaye aana aane aani ata ati ate aya ayi aye ana ane jis jin jise jinhe kahin kaha keh kehta
  kehte kehti pura puri pure poora poori mazeed mazid sath saath baad dono donon har jaisa jesa jese jesi jaisi taake taki
  bina baghair bagair bajaye bajae zariye zariya zariyay ilawa ilava alawa alava waise vaise aisa aise esa ese aisi esi
  itna itni itne utna utni utne hona hone honi honge hongi ja jao jaa diye dain yaar yar
  کا کی کے کو سے نے پر بھی ہے ہیں ہو ہوں تھا تھی تھے ہوتا ہوتی ہوتے ہوگا ہوگی کیا کیسے کیسا کیسی کب کہاں کتنا کتنی کتنے
  کون کونسا کس کسی کوئی کچھ مجھے میں میرا میری میرے ہم ہمارا ہماری ہمارے ہمیں آپ اپ اپنا اپنی اپنے یہ وہ اس اسے جو جب
  اگر لیکن اور یا پھر لیے لئے کرنا کرنے کریں کرو کر کرتا کرتی کرتے سکتا سکتی سکتے چاہیے چاہئے چاہتا چاہتی بتائیں بتاؤ
  نہیں نہ ہاں گیا گئی گئے گا گی گے والا والی والے پاس بارے مطابق طور جاتا جاتی جاتے رہا رہی رہے سکوں سکیں
  کرانا کرانے کروانا کروانے کرایا کروایا کروائیں کرائیں کرنی جانا جانے جائے جائیں جاؤں چاہییں چاہئیں چاہیئے
  جیسا جیسی تاکہ علاوہ جس جن جسے جنہیں کہیں کہا کہی کہہ کہتا کہتے پورا پوری پورے مزید بجائے ذریعے ذریعہ بغیر ساتھ بعد
  دونوں ہر ایسا ایسی ایسے اتنا اتنی اتنے ویسے آتا آتی آتے آیا آئی آئے آنا آنے ہوں گے ہونگے جا جاؤ دیے دیئے یار
  سکے سکا دوں لوں پڑتا پڑتی پڑے پڑے گا ہونی ہونے ہونا طریقہ طریقے معلومات رہنمائی تفصیل مدد پراسیس تو بس صرف ابھی کبھی ہوا ہوئی ہوئے آج کل اب سمجھ سمجھا سمجھی سمجھنا سمجھتا سمجھتی معلوم دیتا دیتی دیتے دینا دینے دیا دی لیتا لیتی لیتے لینا لینے لیا کرے کروں دیں دیجیے دیجئے لیں ہی اب یہاں وہاں جیسے مطلب ایک ذرا کہ پوچھنا پوچھنی پوچھ پوچھا پوچھتا پوچھوں`;

/**
 * Splits folded text into raw words (letters and digits); a number glued to letters is its
 * own word ("200kg" → "200", "kg"; "iso9001" → "iso", "9001"), and acronyms spelt letter by
 * letter become one word ("ایف بی آر" → "fbr", transliterate.ts).
 */
function words(folded: string): string[] {
  const lower = folded.toLowerCase();
  // Plain ASCII (most English and Roman Urdu) needs neither Unicode classes nor acronyms.
  if (/^[\x00-\x7F]*$/.test(lower)) return lower.match(/[a-z]+|[0-9]+/g) ?? [];
  return joinAcronyms(lower.match(/\p{N}+|\p{L}+/gu) ?? []);
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

/** The key of every word of a text, function words included, in order (cut at `maxChars`). */
export function keyedWords(text: string, maxChars = MAX_MATCH_CHARS): string[] {
  return words(foldScript(text.slice(0, maxChars))).map(wordKey);
}

/** Every token of a text including function words (for language detection and tests). */
export function allTokens(text: string): string[] {
  return keyedWords(text);
}
