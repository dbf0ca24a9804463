/**
 * Recognising "stop sending me messages" and "start again" in English, Urdu and Roman Urdu.
 * Matching runs on `keyText` (lower case, Urdu letter forms unified, punctuation dropped).
 */
import { keyText } from "../../core/text.ts";

const STOP_EXACT = [
  "stop", "/stop", "stop it", "please stop", "stop messages", "stop all", "stop sending", "unsubscribe", "/unsubscribe", "opt out", "optout",
  "no more messages", "dont send", "don't send", "do not send", "stop sending me messages",
  "band", "band karo", "band karein", "band karen", "band kren", "band kro", "bnd karo", "bnd kro", "band kar do", "band kardo", "band kar dein",
  "messages band karo", "message band karo", "msg band karo", "sab band karo", "ye band karo", "yeh band karo",
  "mat bhejo", "na bhejo", "na bhejein", "na bhejen", "nah bhejen",
  "بند", "بند کرو", "بند کریں", "بند کر دیں", "بند کردیں", "بند کر دو", "سب بند کریں", "پیغامات بند کریں", "میسج بند کریں", "میسجز بند کریں",
  "مت بھیجو", "مت بھیجیں", "نہ بھیجو", "نہ بھیجیں", "اسٹاپ", "سٹاپ",
];

const START_EXACT = [
  "start", "subscribe", "/subscribe", "unstop", "resume", "start again", "start messages",
  "shuru", "shuru karo", "shuru karein", "shuru karen", "dobara shuru karo", "dobara bhejo",
  "شروع", "شروع کرو", "شروع کریں", "دوبارہ شروع کریں", "سٹارٹ", "اسٹارٹ",
].map(keyText);

const stopSet = new Set(STOP_EXACT.map(keyText));
const startSet = new Set(START_EXACT);

// "mujhe messages mat bhejo", "aap messages na bhejein", "مجھے پیغامات نہ بھیجیں", "messages band kar dein":
// a message about messages plus a negated "send" or a "stop/close" verb.
const ROMAN_NEG_SEND = /\b(mat|na|nah|nahi|nahin|mt)\s+(bhejo|bhejein|bhejen|bhejain|bhejiye|bhejna|bheja karo)\b/;
const ROMAN_CLOSE = /\b(messages?|msgs?|msg|sms|paigham|pegham|announcements?)\b.*\b(band|bund|bnd|stop)\b/;
const URDU_NEG_SEND = /(مت|نہ|نا)\s*(بھیجو|بھیجیں|بھیجئے|بھیجیے|بھیجا کریں|بھیجنا)/u;
const URDU_CLOSE = /(پیغام|پیغامات|میسج|میسجز).*(بند)/u;
// A negated "send" counts only about messages or "me" ("documents mat bhejo" is about something else).
const ROMAN_ABOUT = /\b(messages?|msgs?|msg|sms|paigham|pegham|announcements?|mujhe|mujhay|mujhey|hamein|humein|ab)\b/;
const URDU_ABOUT = /(مجھے|ہمیں|پیغام|میسج|اعلان|اب)/u;
const ENGLISH = /\b(stop|dont|do not|never)\b.*\b(messag\w*|texts?|announcements?|spam)\b/;

/** True when a short message asks to stop announcements. */
export function isOptOutText(text: string): boolean {
  const key = keyText(text.replace(/['’]/g, ""));
  if (stopSet.has(key)) return true;
  if (key.split(" ").length > 8) return false;
  return (
    (ROMAN_NEG_SEND.test(key) && ROMAN_ABOUT.test(key)) ||
    ROMAN_CLOSE.test(key) ||
    (URDU_NEG_SEND.test(key) && URDU_ABOUT.test(key)) ||
    URDU_CLOSE.test(key) ||
    ENGLISH.test(key)
  );
}

/** True when a message asks to (re)start announcements. */
export function isOptInText(text: string): boolean {
  return startSet.has(keyText(text));
}

// Answers to the WhatsApp consent question ("Reply YES … or NO"). Words, not numbers, so the
// numbered menu sent just before keeps its numbers.
const YES = new Set(["yes", "y", "yes please", "yes send", "haan", "han", "haa", "ha", "ji haan", "ji han", "jee haan", "jee han", "g haan", "ji", "jee", "zaroor", "bilkul", "جی ہاں", "جی ہاں بھیجیں", "ہاں", "جی", "ضرور", "بالکل"].map(keyText));
const NO = new Set(["no", "n", "no thanks", "no thank you", "nahi", "nahin", "nai", "nhi", "na", "nahi shukriya", "nahi chahiye", "نہیں", "نہیں شکریہ", "نہیں چاہیے", "نا"].map(keyText));

/** "yes" / "no" answers to the consent question, in the three forms; null for anything else. */
export function consentAnswerOf(text: string): "yes" | "no" | null {
  const key = keyText(text);
  if (YES.has(key)) return "yes";
  if (NO.has(key)) return "no";
  return null;
}
