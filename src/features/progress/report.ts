/**
 * Reading progress reports written in words: "maine 12 products list kar diye",
 * "I got my first inquiry", "pehla order mil gaya", "میں نے 5 پروڈکٹس لسٹ کر دیں".
 * Conservative on purpose: questions and negations are left to the FAQ, and whatever is
 * recognised is confirmed with the seller before anything is saved.
 */
import { asciiDigits, keyText } from "../../core/text.ts";
import type { Stages } from "./stages.ts";

/** Most products a small exporter can plausibly report in one message. */
export const MAX_PRODUCTS = 5000;

/** What a message reports. */
export type Report =
  | { kind: "stages"; stageIds: string[]; count?: number }
  | { kind: "bad-count"; reason: "negative" | "zero" | "too-many" };

const QUESTION = /[?؟]|\b(how|what|when|why|which|where|can i|should i|do i|kaise|kese|kaisay|kesay|kya|kia|kab|kyun|kyon|kitne|kitni|kahan)\b|(^|\s)(کیسے|کیا|کب|کیوں|کتنے|کتنی|کہاں)(\s|$)/;
const NEGATION = /\b(not|no|never|haven t|havent|didn t|didnt|don t|dont|nahi|nahin|nai|abhi tak)\b|(^|\s)(نہیں|نہ|ابھی تک)(\s|$)/;
const DONE =
  /\b(got|get|received|answered|replied|done|did|have|has|listed|uploaded|created|ready|set up|finished|completed|verified|registered|mil gaya|mil gayi|mil gai|aa gaya|aa gayi|aa gai|aayi|aai|kar diya|kar diye|kar di|kar dia|kar liya|kar liye|kar li|ho gaya|ho gayi|ho gai|hogaya|hogayi|ban gaya|bana liya|bana li|bana diya|de diya|tayyar|tayar)\b|(مل گیا|مل گئی|مل گئے|آ گیا|آ گئی|آئی|کر دیا|کر دیے|کر دیں|کر دی|کر لیا|کر لی|کر لیے|ہو گیا|ہو گئی|ہو گئیں|بن گیا|بنا لیا|بنا لی|دے دیا|تیار)/;
const PRODUCT_WORD = "(?:products?|items?|listings?|pro?ducts?|پروڈکٹس|پروڈکٹ|پراڈکٹس|پراڈکٹ|مصنوعات|آئٹمز|آئٹم)";
const LISTED = /\b(list|listed|lis?t kar|upload|uploaded|laga|lagaye|lagai|daal|dal|dale|daale|add|added)\b|(لسٹ|اپ لوڈ|لگا|ڈال)/;
const BIG = "(?:million|millions|billion|lakh|lac|crore|karor|thousands?|hazaar|hazar|لاکھ|کروڑ|ہزار|ملین)";
const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, fifteen: 15, twenty: 20,
  ek: 1, aik: 1, do: 2, teen: 3, char: 4, chaar: 4, panch: 5, paanch: 5, chay: 6, chhe: 6, saat: 7, aath: 8, nau: 9, das: 10, dus: 10, barah: 12, bees: 20,
  ایک: 1, دو: 2, تین: 3, چار: 4, پانچ: 5, چھ: 6, سات: 7, آٹھ: 8, نو: 9, دس: 10, بارہ: 12, بیس: 20,
};

/** Parses a free-text report; undefined when the message is not (clearly) one. */
export function parseReport(text: string, stages: Stages): Report | undefined {
  const raw = asciiDigits(text).toLowerCase();
  const key = keyText(text).replace(/'/g, " ");
  if (QUESTION.test(raw) || QUESTION.test(key) || NEGATION.test(key)) return undefined;
  const count = parseCount(raw, key);
  if (count) return count;
  if (!DONE.test(key)) return undefined;
  const hits = stages.list.filter((s) => s.phrases.some((p) => key.includes(keyText(p))));
  if (hits.length !== 1) return undefined; // none, or ambiguous: let the FAQ or the checklist answer
  return { kind: "stages", stageIds: [hits[0]!.id] };
}

function parseCount(raw: string, key: string): Report | undefined {
  const words = Object.keys(NUMBER_WORDS).join("|");
  const m = new RegExp(`(?<![\\p{L}\\d])(-\\s*)?(\\d[\\d,.]*|${words}|an?)\\s+(${BIG}\\s+)?(?:(?:new|naye|nayi|نئی|نئے)\\s+)?${PRODUCT_WORD}(?=\\s|$|[^\\p{L}])`, "u").exec(raw);
  if (!m || !(LISTED.test(key) || DONE.test(key))) return undefined;
  if (m[3]) return { kind: "bad-count", reason: "too-many" };
  if (m[1]) return { kind: "bad-count", reason: "negative" };
  const token = m[2]!;
  const n = /^\d/.test(token) ? Number(token.replace(/,/g, "").replace(/\.$/, "")) : (NUMBER_WORDS[token] ?? (token === "a" || token === "an" ? 1 : NaN));
  if (!Number.isSafeInteger(n)) return { kind: "bad-count", reason: "too-many" };
  if (n === 0) return { kind: "bad-count", reason: "zero" };
  if (n > MAX_PRODUCTS) return { kind: "bad-count", reason: "too-many" };
  return { kind: "stages", stageIds: [], count: n };
}

/** The stages a product count reaches (every stage whose `minProducts` ≤ count). */
export function stagesForCount(stages: Stages, count: number): string[] {
  return stages.list.filter((s) => s.minProducts !== undefined && s.minProducts <= count).map((s) => s.id);
}
