/**
 * Answers to the WhatsApp consent question in English, Urdu and Roman Urdu. (Opting out and
 * back in are understood by the understanding step: content/understanding/opt-out.json.)
 * Matching runs on `keyText` (lower case, Urdu letter forms unified, punctuation dropped).
 */
import { keyText } from "../../core/text.ts";

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
