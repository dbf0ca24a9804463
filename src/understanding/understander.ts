/**
 * The understanding step: one text message → `{intent, entities, confidence, …}`
 * (shared/intents.md). Its parts are injected (the gazetteer, the FAQ matcher, the progress
 * stages, the lexicons) so it is tested on its own and imports no platform or database code.
 *
 * How it decides (docs/understanding.md): whole-message rules first (nothing readable, a
 * number, STOP/START keywords, small talk, menu words, a language), then what the message
 * says (opt-out sentences unless they are complaints, intent cues made of word classes, RSVP
 * answers, progress reports, a town or "I am in …"), then the FAQ matcher for everything
 * else (a routing topic becomes its intent), and `none` when nothing fits.
 */
import { detectLanguage } from "../core/language.ts";
import {
  ROUTING_TOPIC_INTENTS,
  type Entities,
  type FaqView,
  type FlowAnswer,
  type Intent,
  type PlaceRef,
  type RsvpValue,
  type Understander,
  type Understanding,
} from "../core/understanding.ts";
import { keyText, withinOneEdit } from "../core/text.ts";
import { allForms, LexiconError, type Lexicons } from "./lexicon.ts";
import { compilePattern, conceptMap, EntrySet, hasConcept, matchPattern, type ConceptMap, type Pattern } from "./phrases.ts";
import { analyse, hasUrduScript, splitScripts, tokenize, tokenizeEntry, type Token } from "./text.ts";

/** Finds a town in text (the partners feature's gazetteer fits). */
export interface PlaceFinder {
  find(text: string): { place: { name: string; urdu: string | null; latitude: number; longitude: number }; how: "exact" | "fuzzy"; words: string } | null;
  /** The places' names: a message made only of known words and none of these names is not searched. */
  readonly places?: ReadonlyArray<{ name: string; urdu: string | null }>;
}

/** The FAQ matcher, used as a black box (src/features/faq/matcher.ts fits). */
export interface FaqMatcherLike {
  match(text: string): FaqView;
  readonly thresholds?: { confident: number; unsure: number };
}

/** A progress stage (content/progress/stages.json fits). */
export interface StageLike {
  id: string;
  phrases: string[];
}

/** What the understander is built from. */
export interface UnderstanderParts {
  lexicons: Lexicons;
  places: PlaceFinder;
  faq: FaqMatcherLike;
  stages: readonly StageLike[];
  /** Words the bot knows from its other content (FAQ examples): never read as a misspelt town. */
  vocabulary?: Iterable<string>;
}

/**
 * Which entities each intent carries besides `place` (shared/intents.md); others are dropped.
 * A town goes on any intent whose message names one ("lahore ka mausam kaisa hai" is `none`
 * with a place); counts and stages only on reports, RSVP answers only on `events.rsvp`.
 */
const ENTITY_KEYS: Partial<Record<Intent, Array<keyof Entities>>> = {
  "progress.report": ["stage", "count"],
  "events.rsvp": ["rsvp"],
  language: ["lang"],
};

/**
 * When two cues are equally specific, the earlier intent wins. Asking for a different partner
 * beats the complaint that gives the reason ("i need a different partner, this one never answers").
 */
const CUE_PRIORITY: Intent[] = ["partner.change", "complaint.partner", "human", "events.mine", "events.rsvp", "partner.mine", "progress.show", "menu", "partner.find", "events.list"];

/** A message that is one word class and nothing else. */
// An insult alone ("bakwas", "فضول") asks nothing: \`none\`, never an FAQ answer.
const SOLO: Record<string, Intent> = { partner: "partner.find", event: "events.list", progress: "progress.show", language: "language", human: "human", insult: "none" };

/** Routing topics the FAQ may answer only when the message says something about them. */
const TOPIC_SUPPORT: Record<string, string[]> = {
  "find-partner": ["partner", "office", "find", "where"],
  "talk-to-human": ["person", "human", "talk", "contact", "partner"],
  unsubscribe: ["stopverb", "negimp", "neg"],
  "change-language": ["language"],
  "summit-events": ["event", "when"],
  "event-rsvp": ["eventregister"],
  // "kya kya baqi hai mera" (what is left): the checklist, when the FAQ is sure it is about progress.
  "listing-progress": ["progress", "show", "remaining"],
};

const DEFAULT_THRESHOLDS = { confident: 0.4, unsure: 0.22 };
/** A routing topic the message does not support may still mean a neighbour it does support. */
const TOPIC_FALLBACK: Record<string, string> = { "event-rsvp": "summit-events" };

/** Longest message whose opt-out phrase acts at once; longer ones ask first (the opt-outs sellers write are shorter). */
const PHRASE_OPT_OUT_MAX_TOKENS = 10;
/** Fewest words of a message whose last clauses are asked alone (an introduction, then the question). */
const INTRO_MIN_TOKENS = 10;
/** Words beyond which a message of three clauses or more is read as a story, then its question. */
const LONG_INTRO_TOKENS = 20;

/** Word classes of a bare stop ("@stopverb", "@negimp @sendimp"): they say stop without saying what. */
const BARE_STOP = new Set(["stopverb", "negimp", "sendimp"]);

/** A message that reports something closed or broken gets an FAQ answer only when the FAQ is this sure. */
const COMPLAINT_FAQ_BAR = 0.55;

interface Cue {
  intent: Intent;
  p: Pattern;
  /** Word classes that stop this cue ("nazdeek wala partner kon sa hai" is not about one's own partner). */
  unless: string[];
}
const RSVP_ORDER: RsvpValue[] = ["no", "maybe", "going"];

/** Builds an understander; throws LexiconError for a pattern that names an unknown word class. */
export function createUnderstander(parts: UnderstanderParts): Understander {
  const lx = parts.lexicons;
  const thresholds = parts.faq.thresholds ?? DEFAULT_THRESHOLDS;

  // Word classes and patterns.
  const concepts = new EntrySet();
  for (const [name, f] of Object.entries(lx.concepts.concepts)) concepts.add(name, allForms(f));
  const names = new Set(Object.keys(lx.concepts.concepts));
  const pattern = (text: string, where: string) => compilePattern(text, names, `content/understanding/${where}`);
  const strong: Cue[] = [];
  const weak: Cue[] = [];
  for (const [intent, spec] of Object.entries(lx.intents.intents) as Array<[Intent, { cues: string[]; weak: string[]; unless?: string[] }]>) {
    const unless = spec.unless ?? [];
    unless.forEach((u, i) => {
      if (!names.has(u)) throw new LexiconError(`content/understanding/intents.json: intents.${intent}.unless[${i}]: unknown word class ${u}`);
    });
    spec.cues.forEach((c, i) => strong.push({ intent, unless, p: pattern(c, `intents.json: intents.${intent}.cues[${i}]`) }));
    spec.weak.forEach((c, i) => weak.push({ intent, unless, p: pattern(c, `intents.json: intents.${intent}.weak[${i}]`) }));
  }
  // Word classes as bits: a cue whose classes are not all present (or whose `unless` classes are) is skipped with a few ANDs.
  const conceptBit = new Map([...names].map((n, i) => [n, i] as const));
  const maskOf = (list: Iterable<string>) => {
    const mask = new Uint32Array(Math.ceil(names.size / 32) || 1);
    for (const c of list) {
      const bit = conceptBit.get(c);
      if (bit !== undefined) mask[bit >>> 5]! |= 1 << (bit & 31);
    }
    return mask;
  };
  // The message's classes, in one array reused by every message (understanding is synchronous).
  const presentBits = new Uint32Array(Math.ceil(names.size / 32) || 1);
  const presentMaskOf = (present: Iterable<string>) => {
    presentBits.fill(0);
    for (const c of present) {
      const bit = conceptBit.get(c);
      if (bit !== undefined) presentBits[bit >>> 5]! |= 1 << (bit & 31);
    }
    return presentBits;
  };
  const strongCues = indexCues(bySpecificity(strong, maskOf));
  const weakCues = indexCues(bySpecificity(weak, maskOf));
  const oo = lx["opt-out"];
  const optOutPhrases = oo.phrases.map((c, i) => pattern(c, `opt-out.json: phrases[${i}]`));
  const optOutMaybe = oo.maybe.map((c, i) => pattern(c, `opt-out.json: maybe[${i}]`));
  const optInPhrases = oo.optinPhrases.map((c, i) => pattern(c, `opt-out.json: optinPhrases[${i}]`));
  const keepPhrases = oo.keepPhrases.map((c, i) => pattern(c, `opt-out.json: keepPhrases[${i}]`));

  // Whole-message lists.
  const st = lx["small-talk"];
  const filler = new EntrySet().add("filler", allForms(st.filler));
  const smallTalk = new EntrySet().add("greeting", allForms(st.greeting)).add("thanks", allForms(st.thanks)).add("ack", allForms(st.ack)).add("bye", allForms(st.bye));
  // Connectors between two pieces of small talk ("acha phir allah hafiz", "kal baat karenge khuda hafiz"):
  // free only there, not in the other whole-message lists, where "kal band" would be a stop.
  const talkFree = new EntrySet().add("free", allForms(st.filler)).add("free", allForms(st.talkAround));
  // Around a town in a greeting: small talk's free words and "from", "se", "سے", "ki taraf se".
  const greetFromFree = new EntrySet().add("free", allForms(st.filler)).add("free", allForms(st.talkAround)).add("free", st.greetFrom ? allForms(st.greetFrom) : []);
  const greetingWords = new EntrySet().add("greeting", allForms(st.greeting));
  const menuWords = new EntrySet().add("menu", allForms(st.menu));
  // Words that may stand around a menu word without asking for anything else ("mujhe menu dobara bhejo").
  const menuFree = new EntrySet().add("free", allForms(st.filler)).add("free", allForms(st.menuAround));
  const optOutKeywords = new EntrySet().add("optout", allForms(oo.keywords));
  const optInKeywords = new EntrySet().add("optin", allForms(oo.optinKeywords));
  const againWords = lx.concepts.concepts.again;
  const againFree = new EntrySet().add("free", allForms(st.filler)).add("free", againWords ? allForms(againWords) : []);
  const notOptOut = oo.notOptOut.map((c, i) => pattern(c, `opt-out.json: notOptOut[${i}]`));
  // Hundreds of literal phrases are tried on every message: each list tries only those whose first word it has.
  const notOptOutIn = patternIndex(notOptOut);
  const optOutPhrasesIn = patternIndex(optOutPhrases);
  const optOutMaybeIn = patternIndex(optOutMaybe);
  const optInPhrasesIn = patternIndex(optInPhrases);
  const keepPhrasesIn = patternIndex(keepPhrases);
  // What may stand around an opt-out phrase that acts at once: politeness, greetings, thanks, goodbyes and the frame's own words.
  const frameFree = new EntrySet()
    .add("free", allForms(st.filler))
    .add("free", allForms(st.greeting))
    .add("free", allForms(st.thanks))
    .add("free", allForms(st.bye))
    .add("free", allForms(oo.frameAround));
  oo.frameClasses.forEach((c, i) => {
    if (!names.has(c)) throw new LexiconError(`content/understanding/opt-out.json: frameClasses[${i}]: unknown word class ${c}`);
  });
  const frameClasses = new Set(oo.frameClasses);
  const yesWords = new EntrySet().add("yes", allForms(lx.answers.yes));
  const answers = new EntrySet().add("yes", allForms(lx.answers.yes)).add("no", allForms(lx.answers.no)).add("skip", allForms(lx.answers.skip));
  const rsvpWords = new EntrySet();
  const rsvpAlone = new EntrySet();
  const rsvpWithEvent = new EntrySet();
  for (const value of RSVP_ORDER) {
    rsvpWords.add(value, allForms(lx.answers.rsvp[value]));
    rsvpAlone.add(value, allForms(lx.answers.rsvpAlone[value]));
    rsvpWithEvent.add(value, allForms(lx.answers.rsvpWithEvent[value]));
  }
  const complaints = new EntrySet().add("closure", allForms(lx.complaints.closure)).add("failure", allForms(lx.complaints.failure)).add("general", allForms(lx.complaints.general));
  const languageNames = new EntrySet();
  for (const lang of ["en", "ur", "ur-Latn"] as const) languageNames.add(lang, lx.languages.names[lang]);
  const languageAround = new EntrySet().add("around", allForms(lx.languages.around));
  // Words that say a language is hard for the sender ("i dont read urdu well", "اردو پڑھنی مشکل لگتی ہے").
  const languageHard = new EntrySet().add("hard", lx.languages.hard ? allForms(lx.languages.hard) : []);
  const glueWords = new EntrySet().add("glue", lx.concepts.concepts.glue ? allForms(lx.concepts.concepts.glue) : []);
  // The tokens' keys of every word in a list (all forms).
  const keysOf = (f: Parameters<typeof allForms>[0] | undefined) => new Set(f ? allForms(f).flatMap((w) => tokenizeEntry(w).map((t) => t.key)) : []);
  const neverPlace = keysOf(lx.places.never);
  // A verb stem that is also a town's name ("atak", "اٹک") is the verb when an aspect verb follows
  // ("payment atak gayi"); any other town before the same verb stays a town ("lahore gaya tha").
  const verbAfter = keysOf(lx.places.verbAfter);
  const verbStems = keysOf(lx.places.verbStems);
  const placeAround = new EntrySet().add("around", allForms(lx.places.around));
  const numberWords = new EntrySet();
  for (const f of ["en", "ur", "ur-Latn"] as const) for (const [w, n] of Object.entries(lx.numbers.words[f])) numberWords.add(String(n), [w]);
  const countable = new EntrySet().add("countable", allForms(lx.numbers.countable));
  const pr = lx.progress;
  const done = new EntrySet().add("done", allForms(pr.done));
  const notYet = new EntrySet().add("notYet", allForms(pr.notYet));
  const listing = new EntrySet().add("listing", allForms(pr.listing));
  const stageIds = new Set(parts.stages.map((s) => s.id));
  const stageOrder = new Map(parts.stages.map((s, i) => [s.id, i] as const));
  const stagePhrases = new EntrySet();
  for (const s of parts.stages) stagePhrases.add(s.id, s.phrases);
  const stageWords = new EntrySet();
  for (const [id, f] of Object.entries(pr.stages)) {
    if (!stageIds.has(id)) throw new LexiconError(`content/understanding/progress.json: stages.${id}: not a stage id of content/progress/stages.json`);
    stageWords.add(id, allForms(f));
  }

  // Spelling recovery onto the lexicons' own words (Latin words of 5+ letters, one edit away).
  const lexVocabulary = new Set<string>();
  for (const set of [concepts, smallTalk, menuWords, optOutKeywords, optInKeywords, answers, rsvpWords, complaints, languageNames, done, stageWords, countable, placeAround]) {
    for (const k of set.vocabulary) lexVocabulary.add(k);
  }
  for (const p of [...strong, ...weak].map((s) => s.p).concat(optOutPhrases, optOutMaybe, optInPhrases)) {
    for (const a of wordAtoms(p)) if (a.kind === "key") lexVocabulary.add(a.key);
  }
  const known = new Set<string>(lexVocabulary);
  // The negated stops' words are known too (never split: "بند نہیں کروانے" was read as
  // "کروا|نے" and missed its own notOptOut entry), but no spelling is corrected onto them.
  for (const p of [...notOptOut, ...keepPhrases]) for (const a of wordAtoms(p)) if (a.kind === "key") known.add(a.key);
  // Raw words are enough here (checked against a token's raw form and its key); tokenising
  // every FAQ example would double the build time.
  for (const text of parts.vocabulary ?? []) for (const w of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w) known.add(w);
  // Never corrected onto an everyday subject: a verb form one letter from "chalan" ("ad kaise
  // chalaun") would turn a question into `none`; a misspelt everyday word only stays unknown.
  const offtopicKeys = keysOf(lx.concepts.concepts.offtopic);
  // Every word any list knows stays as it is (number words, filler, stage phrases …): neither
  // fixer may move it, or "chalees" (key "chali", a number word) became a word one edit away.
  const anyListed = new Set(known);
  for (const set of [filler, talkFree, greetFromFree, frameFree, numberWords, notYet, listing, stagePhrases, placeAround, languageAround, menuFree, againFree, rsvpAlone, rsvpWithEvent]) for (const k of set.vocabulary) anyListed.add(k);
  // A town's own name is never "corrected" either: "Haveli Lakha" is not "haveli likha".
  const placeNames = new Set<string>();
  for (const p of parts.places.places ?? []) for (const t of tokenizeEntry(`${p.name} ${p.urdu ?? ""}`)) placeNames.add(t.key);
  for (const k of placeNames) anyListed.add(k);
  const spelling = createSpellingFixer([...lexVocabulary].filter((k) => /^[a-z]{5,}$/.test(k) && !offtopicKeys.has(k)), anyListed);
  const vowelless = createVowellessReader([...lexVocabulary].filter((k) => /^[a-z]{3,}$/.test(k)), anyListed);
  const fixer = (t: Token) => vowelless(spelling(t));

  // Abbreviations and short names of towns ("lhr", "پنڈی"): read as the town's name.
  const aliases = new Map<string, string>();
  for (const [short, name] of Object.entries(lx.places.aliases ?? {})) for (const t of tokenizeEntry(short)) aliases.set(t.key, name);
  /** A town can only be named by a word the bot does not know otherwise, or by a town's own name. */
  const mayNamePlace = (t: Token) => !t.numeric && !neverPlace.has(t.key) && (placeNames.has(t.key) || aliases.has(t.key) || !(known.has(t.key) || known.has(t.raw)));

  // Mixed scripts: short function words of the minority script read in the majority's spelling.
  const toRoman = new Map<string, Token>();
  const toUrdu = new Map<string, Token>();
  for (const [urdu, roman] of Object.entries(lx.scripts.pairs)) {
    const u = tokenizeEntry(urdu)[0];
    const r = tokenizeEntry(roman)[0];
    if (!u || !r) continue;
    toRoman.set(u.key, r);
    if (!toUrdu.has(r.key)) toUrdu.set(r.key, u);
  }
  function mixedScripts(tokens: Token[]): Token[] {
    let urdu = 0;
    let latin = 0;
    for (const t of tokens) if (!t.numeric) hasUrduScript(t.raw) ? urdu++ : latin++;
    if (urdu === 0 || latin === 0) return tokens;
    const map = latin >= urdu ? toRoman : toUrdu;
    return tokens.map((t) => map.get(t.key) ?? t);
  }

  // Two words typed without a space ("خداحافظ", "ٹھیکہے" once a zero-width joiner is dropped):
  // an Urdu-script word the bot does not know that splits into two words it knows.
  const splitCache = new Map<string, Token[] | null>();
  const knownKey = (t: Token) => lexVocabulary.has(t.key) || known.has(t.raw) || known.has(t.key);
  function splitJoined(tokens: Token[]): Token[] {
    if (!tokens.some((t) => t.raw.length >= 4 && hasUrduScript(t.raw) && !knownKey(t))) return tokens;
    const out: Token[] = [];
    for (const t of tokens) {
      if (t.raw.length < 4 || !hasUrduScript(t.raw) || knownKey(t)) {
        out.push(t);
        continue;
      }
      let parts = splitCache.get(t.raw);
      if (parts === undefined) {
        parts = null;
        // Two lexicon words beat one lexicon word and an FAQ word ("ٹھیک|ہے", not "ٹھی|کہے").
        let best = 0;
        for (let i = 2; i <= t.raw.length - 2 && best < 2; i++) {
          const left = tokenize(t.raw.slice(0, i))[0];
          const right = tokenize(t.raw.slice(i))[0];
          if (!left || !right || !knownKey(left) || !knownKey(right)) continue;
          const score = Number(lexVocabulary.has(left.key)) + Number(lexVocabulary.has(right.key));
          if (score > best) [parts, best] = [[left, right], score];
        }
        if (splitCache.size < 20_000) splitCache.set(t.raw, parts);
      }
      out.push(...(parts ?? [t]));
    }
    return out;
  }

  function findPlace(all: Token[]): PlaceRef | undefined {
    const tokens = verbStems.size === 0 ? all : all.filter((t, i) => !(verbStems.has(t.key) && verbAfter.has(all[i + 1]?.key ?? "")));
    // The gazetteer's fuzzy search is the costly part of understanding: skip it when no word could be a town.
    if (placeNames.size > 0 && !tokens.some(mayNamePlace)) return undefined;
    const aliased = new Map<string, string>();
    let words = tokens.map((t) => {
      const name = aliases.get(t.key);
      if (name) aliased.set(name, t.raw);
      return name ?? t.raw;
    });
    for (let attempt = 0; attempt < 3 && words.length > 0; attempt++) {
      const match = parts.places.find(words.join(" "));
      if (!match) return undefined;
      const matched = tokenize(match.words);
      // A fuzzy match on a short Urdu-script word is too loose (کرکٹ is not Karak, پانی not Pasni):
      // Urdu writes no short vowels, so four letters leave little to tell words apart.
      const bad = matched.filter((t) => neverPlace.has(t.key) || (match.how === "fuzzy" && (known.has(t.key) || known.has(t.raw) || t.raw.length < (hasUrduScript(t.raw) ? 5 : 4))));
      if (bad.length === 0) {
        const { name, urdu, latitude, longitude } = match.place;
        return { name, urdu, latitude, longitude, words: aliased.get(name) ?? match.words };
      }
      const drop = new Set(bad.map((t) => t.raw));
      words = words.filter((w) => !drop.has(tokenize(w)[0]?.raw ?? w));
    }
    return undefined;
  }

  /** Tokens as understanding reads them (scripts, joined words, spelling), for a whole message or one clause. */
  const read = (raw: Token[]) => splitJoined(mixedScripts(raw)).map(fixer);

  /**
   * True when an RSVP phrase stands in a clause of its own with at most three other words:
   * "maybe i'll come, depends on my shipment date", "میں ضرور آؤں گا، لوکیشن کا میسج بھیج دیں".
   * The other clause qualifies the answer or asks for something that goes with it.
   */
  function rsvpClause(text: string): boolean {
    const clauses = clausesOf(text);
    if (clauses.length < 2) return false;
    return clauses.some((c) => {
      const t = read(tokenize(c));
      const at = conceptMap(concepts, t);
      // "aaj maal nahi ja sakta" is about the goods, not the sender: another object makes it no answer.
      if (at.some((m) => m.has("otherobject") || m.has("offtopic"))) return false;
      return rsvpOf(rsvpWords, t) !== undefined && fewOtherWords(t, rsvpWords, at, filler, yesWords);
    });
  }

  /**
   * A negated stop in a clause of its own followed by another request ("nahi nahi stop nahi
   * karna, bas fees ka poochna tha", "اسٹاپ نہیں کرنا، بس مجھے اردو میں جواب چاہیے"): the
   * request, understood without the clause that only says not to stop. Undefined when the other
   * clauses ask for nothing an intent acts on.
   */
  function afterNegatedStop(text: string, depth: number): Understanding | undefined {
    if (depth > 0) return undefined;
    const clauses = clausesOf(text);
    if (clauses.length < 2) return undefined;
    const rest = clauses.filter((c) => {
      const t = read(tokenize(c));
      const at = conceptMap(concepts, t);
      return !notOptOutIn(t).some(matcher(t, at, at.map((m) => m.has("glue")), presentConcepts(at)));
    });
    if (rest.length === 0 || rest.length === clauses.length) return undefined;
    const u = understandAt(rest.join(". "), depth + 1);
    const small = ["none", "ack", "greeting", "thanks", "bye", "optout", "optin"].includes(u.intent);
    return small || (u.intent === "faq" && u.faq?.decision !== "confident") ? undefined : u;
  }

  /**
   * A greeting that names where it comes from ("salaam from sialkot", "gujranwala se salam",
   * "اسلام علیکم سیالکوٹ سے سلام"): the town's words set aside, the rest is greetings and the
   * words that join a town to one. Only short messages with a greeting word pay for the town search.
   */
  function greetingFromTown(tokens: Token[]): PlaceRef | undefined {
    if (tokens.length > GREETING_FROM_MAX_TOKENS || !greetingWords.has(tokens)) return undefined;
    const place = findPlace(tokens);
    if (!place) return undefined;
    const named = new Set(tokenize(place.words).map((t) => t.key));
    const rest = tokens.filter((t) => !named.has(t.key));
    if (rest.length === 0 || rest.length === tokens.length) return undefined;
    const kinds = greetingWords.cover(rest, greetFromFree);
    return kinds ? place : undefined;
  }

  /**
   * An opt-out in a clause of its own beside an aside that names something else ("please take
   * my number off, i retired and my son runs the shop now"): the shop is the reason, not what
   * is to stop. True when one clause alone is an opt-out and no other clause speaks of
   * messages, lists, stopping, removing or negation (those could make the stop about the shop).
   */
  function stopBesideAside(text: string, depth: number): boolean {
    if (depth > 0) return false;
    const clauses = clausesOf(text);
    if (clauses.length < 2 || clauses.length > ASIDE_MAX_CLAUSES) return false;
    let stops = 0;
    for (const c of clauses) {
      const t = read(tokenize(c));
      const at = conceptMap(concepts, t);
      const present = presentConcepts(at);
      const own = !present.has("otherobject") && !present.has("buyer") && optOutPhrasesIn(t).some(matcher(t, at, at.map((m) => m.has("glue")), present));
      if (own) stops++;
      else if (ASIDE_BLOCKERS.some((name) => present.has(name))) return false;
    }
    return stops > 0 && stops < clauses.length;
  }

  function understand(input: string): Understanding {
    return understandAt(input, 0);
  }

  function understandAt(input: string, depth: number): Understanding {
    const a = analyse(input);
    const lang = detectLanguage(a.text).lang;
    const tokens = read(a.tokens);
    const base: Understanding = { intent: "none", entities: {}, confidence: 0, lang, faq: null, complaint: false, reason: "" };
    const flowAnswer = answerOf(answers.cover(tokens, filler));
    if (flowAnswer) base.answer = flowAnswer;
    const rsvpWhole = rsvpAlone.cover(tokens, filler);
    let rsvp = rsvpWhole && rsvpWhole.size === 1 ? ([...rsvpWhole][0] as RsvpValue) : rsvpOf(rsvpWords, tokens);
    if (rsvp) base.rsvp = rsvp;
    if (tokens.length === 1 && tokens[0]!.numeric && tokens[0]!.raw.length <= 6) base.number = Number(tokens[0]!.raw);

    const out = finish.bind(null, base);

    // 0. Bot commands: "/start" is the menu, "/stop" STOP; with arguments they are the features' own.
    const command = /^\/([a-z_]+)(?:@\w+)?(\s+\S[\s\S]*)?$/i.exec(a.text);
    if (command) {
      const intent = command[2] ? undefined : COMMANDS[command[1]!.toLowerCase()];
      if (!intent) return out("none", `command /${command[1]!.toLowerCase()}`, 1);
      return out(intent, "command", 1, intent === "optout" ? { optOut: "exact" } : {});
    }

    // 1. Nothing to read: emoji, punctuation, digits.
    if (tokens.length === 0) {
      if (a.emoji.length > 0) return out(emojiKind(st.emoji, a.emoji), "emoji only", 0.8);
      return out("none", "no words", 1);
    }
    if (tokens.every((t) => t.numeric)) {
      if (base.number === 0 && tokens.length === 1 && tokens[0]!.raw.length === 1) return out("menu", "0 is the main menu", 1);
      return out("none", "only digits", 0.9);
    }

    // 2. Whole-message keywords and small talk.
    if (optOutKeywords.cover(tokens, filler)) return out("optout", "opt-out keyword", 1, { optOut: "exact" });
    if (optInKeywords.cover(tokens, againFree)) return out("optin", "opt-in keyword", 1);
    // "kkkkk", "hhhhh": one letter typed over and over is not an acknowledgement.
    const talk = tokens.some((t) => /^(.)\1{3,}$/u.test(t.raw)) ? null : smallTalk.cover(tokens, talkFree);
    // One entry that is the whole message, filler aside, says what it is ("thik he bhai" is ack, not "thik" + "hey").
    if (talk) return out((talk.size > 1 && wholeEntry(smallTalk, tokens)) || smallTalkKind(talk), "small talk", 0.95);
    const greetedFrom = talk ? undefined : greetingFromTown(tokens);
    if (greetedFrom) {
      base.place = greetedFrom;
      base.entities = { place: greetedFrom.name };
      return out("greeting", "a greeting from a town", 0.9);
    }
    if (menuWords.cover(tokens, menuFree)) return out("menu", "menu words", 0.95);
    if (flowAnswer === "no" || flowAnswer === "skip") return out("none", `answer ${flowAnswer}`, 0.7);

    const at = conceptMap(concepts, tokens);
    const present = presentConcepts(at);
    const presentMask = presentMaskOf(present);
    if (!rsvp && present.has("event")) {
      rsvp = rsvpOf(rsvpWithEvent, tokens);
      if (rsvp) base.rsvp = rsvp;
    }
    const glue = at.map((m) => m.has("glue"));
    const matches = matcher(tokens, at, glue, present);
    const language = languageOf(tokens, present);
    if (language) return out("language", language.reason, 0.9, { entities: language.lang ? { lang: language.lang } : {} });

    // 3. What the message says.
    const complaint = complaints.categoriesIn(tokens);
    const closure = complaint.has("closure");
    const failure = complaint.has("failure");
    const general = complaint.has("general");
    const place = findPlace(tokens);
    if (place) {
      base.place = place;
      base.entities = { place: place.name };
    }
    // "mera number list se nikal do" is about the list, whatever other object it names.
    // A buyer's messages are the buyer's, not the bot's ("is buyer ke messages nahi chahiye").
    const aboutOther = (present.has("otherobject") && !present.has("msg") && !present.has("mlist")) || present.has("buyer");
    const notStop = notOptOutIn(tokens).some(matches);
    const stopBlocked = closure || failure || notStop || aboutOther;

    const cue = bestCue(strongCues, presentMask, matches);
    const asking = a.questionMark || present.has("question") || present.has("who");
    base.complaint = closure || failure || general || cue?.intent === "complaint.partner";
    // "mere partner ka number dobara bhej dein" asks again for the partner, not for the messages.
    const partnerAgain = (present.has("partner") || present.has("contact")) && !present.has("msg") && !present.has("announce") && !present.has("mlist") && !present.has("subscribe");
    // An earlier stop being undone ("maine stop bheja tha, ab dubara updates chahiye", "I stopped
    // your updates last month, turn them back on"): the stop is reported, the request is to resume.
    // The resume must be a phrase of its own: "I have retired …, kindly stop sending me these
    // announcements" holds "sending me … announcements" only inside its stop phrase.
    if ((present.has("mistake") || present.has("past")) && !present.has("otherobject") && !asking && !notStop && !partnerAgain && optInOutsideStop(optInPhrases, optOutPhrases, tokens, at, glue, present)) return out("optin", "an earlier stop undone", 0.85);
    // A complaint that also says, in a clause of its own, to stop ("I closed my business, so
    // kindly stop all messages"): the complaint never unsubscribes, so ask first.
    if ((closure || failure) && !notStop && !aboutOther && !asking) {
      const spans = optOutSpans(optOutPhrases, tokens, at, glue, present);
      const marked = complaintSpans(tokens);
      if (spans.some((s) => !marked.some((m) => m.start < s.end && s.start < m.end))) return out("optout", "a complaint that also asks to stop", 0.6, { optOut: "maybe" });
    }
    // "if I send stop, will I still get reminders?", "STOP bhejne se mera account to band nahi
    // hoga na?" ask what stopping does: the unsubscribe topic answers it (and says how), nothing
    // is asked back, whatever else the question names (the account, the store).
    if (asking && present.has("condition") && !notStop && (stopQuestion(tokens, at) || (!stopBlocked && optOutPhrasesIn(tokens).some(matches)))) {
      const ranked = parts.faq.match(a.text).ranked;
      const faq = { topic: "unsubscribe", score: 0.8, decision: "confident" as const, ranked: [{ topic: "unsubscribe", score: 0.8 }, ...ranked.filter((r) => r.topic !== "unsubscribe")] };
      return out("faq", "a question about what stopping does", 0.8, { faq });
    }
    // Another object named only in an aside beside the opt-out: ask first (never at once).
    if (aboutOther && !closure && !failure && !notStop && !asking && optOutPhrasesIn(tokens).some(matches) && stopBesideAside(a.text, depth)) return out("optout", "an opt-out beside an aside", 0.6, { optOut: "maybe" });
    if (!stopBlocked && optOutPhrasesIn(tokens).some(matches)) {
      // "how do I stop these messages?" is about stopping, but asks: ask back before acting.
      if (asking) return out("optout", "opt-out question", 0.8, { optOut: "maybe" });
      // Unsubscribing wrongly costs a seller every invitation; asking costs one tap. A long
      // message, or one that also complains or asks for something else, may say "stop" in
      // passing: ask first.
      // So does one that also names another object ("whatsapp group ke messages band karne hain").
      if (tokens.length > PHRASE_OPT_OUT_MAX_TOKENS || general || present.has("otherobject") || (cue && cue.intent !== "optout")) return out("optout", "opt-out phrase among other things", 0.7, { optOut: "maybe" });
      // Only a message made of the opt-out frame (and politeness, greetings) acts at once: a
      // word outside it (a second clause, a negation, another subject) may change what "stop" means.
      if (!withinFrame(tokens, at, optOutSpans([...optOutPhrases, ...optOutMaybe], tokens, at, glue, present))) return out("optout", "opt-out phrase with words outside its frame", 0.7, { optOut: "maybe" });
      return out("optout", "opt-out phrase", 0.95, { optOut: "phrase" });
    }
    // "stop nahi karna, bas fees ka poochna tha": the request after the negated stop decides.
    if (notStop && !closure && !failure) {
      const after = afterNegatedStop(a.text, depth);
      if (after) return { ...after, lang, reason: `after a negated stop: ${after.reason}` };
    }
    // "mera naam likh lo summit ke liye" answers an invitation; "meri rsvp dikhao" asks for one's own.
    const answersInvite = rsvp !== undefined && !asking && !present.has("show") && !cue?.p.concepts.includes("answered");
    if (cue && (cue.intent === "complaint.partner" || (cue.intent === "events.mine" && !answersInvite))) return out(cue.intent, `cue "${cue.p.text}"`, 0.9);
    // A stop word next to "by mistake" is the past being undone ("ghalti se stop kiya tha, wapis add karo").
    const stopWords = (present.has("neg") || present.has("negimp") || present.has("stopverb")) && !present.has("mistake");
    // "ghalti se band kar diya tha, dobara chalu karo": a closure undone by mistake is an opt-in.
    // A buyer who sent something again, or money wanted back from a buyer, is no request to resume.
    if ((!closure || present.has("mistake")) && !stopWords && !partnerAgain && !present.has("buyer") && !(menuWords.has(tokens) && !optInKeywords.has(tokens)) && optInPhrasesIn(tokens).some(matches)) return out("optin", "opt-in phrase", 0.9);
    // "updates band mat karna, mujhe chahiye", "don't stop the updates, keep sending": a negated
    // stop that also asks for them (or to keep them coming) is an opt-in.
    if (notStop && !closure && !failure && !asking && (present.has("want") || keepPhrasesIn(tokens).some(matches))) return out("optin", "a negated stop that asks to keep them", 0.8);
    if (rsvp && !asking && (present.has("event") || cue?.intent === "events.rsvp" || fewOtherWords(tokens, rsvpWords, at, filler, yesWords) || (!closure && !failure && !general && !present.has("closedword") && rsvpClause(a.text)))) {
      // "agar waqt mila to aaunga", "if i get time i will come": a going on a condition is a maybe.
      const said = rsvp === "going" && present.has("condition") ? "maybe" : rsvp;
      return out("events.rsvp", "RSVP answer", 0.9, { entities: { rsvp: said } });
    }
    // "any person in wazirabad who can help me", "پسرور کے قریب کوئی بندہ ہے آپ کا": someone to
    // help, in or near a town, is that town's partner, whatever a human or progress cue says.
    if (place && present.has("person") && present.has("helper") && !present.has("talk") && !present.has("my") && !complaint.size) return out("partner.find", "someone to help in a town", 0.85);
    const report = closure || failure ? undefined : reportOf(tokens, present, a.questionMark);
    if (report) return out("progress.report", "progress report", 0.85, { entities: report });
    // "sambrial ka partner kaun hai": who the partner of a town is, not the seller's own.
    if (cue?.intent === "partner.mine" && place && !present.has("my")) return out("partner.find", "a town's partner, not one's own", 0.85);
    if (cue) {
      // Asking to be registered is a yes; asking how to register gives no answer yet.
      const answer = rsvp ?? (asking ? undefined : "going");
      const entities: Entities = cue.intent === "events.rsvp" && answer ? { rsvp: answer } : {};
      return out(cue.intent, `cue "${cue.p.text}"`, Math.min(0.95, 0.8 + 0.05 * cue.p.parts.length), { entities });
    }
    // A town with a partner or office word ("sialkot me partner", "lahore ka agent"), or with an event word.
    if (place && (present.has("partner") || present.has("office")) && !asking) return out("partner.find", "a town and a partner word", 0.85);
    if (place && present.has("event") && !present.has("register")) return out("events.list", "a town and an event word", 0.85);
    const solo = soloOf(tokens, at);
    if (solo) return out(solo, "one word class alone", 0.85);
    const located = locatedOf(tokens, place, a.text);
    if (located) return out("partner.find", located.reason, 0.85, located.unknown ? { unknownPlace: located.unknown } : {});
    // A bare stop verb ("rok do", "how do I stop …") with no messages named asks only when the
    // rest of the message is the opt-out frame: "shipment abhi rok do" stops something else.
    const maybeHit = optOutMaybeIn(tokens).filter(matches);
    const bareOnly = maybeHit.length > 0 && maybeHit.every((p) => p.parts.every((part) => "concept" in part && BARE_STOP.has(part.concept)));
    if (!stopBlocked && !general && maybeHit.length > 0 && (!bareOnly || withinFrame(tokens, at, optOutSpans(maybeHit, tokens, at, glue, present)))) {
      return out("optout", "might mean stop", 0.6, { optOut: "maybe" });
    }

    // 4. The FAQ for everything else.
    // The FAQ reads words, so a word typed in two scripts ("accountکیسے") goes to it as two.
    const faq = parts.faq.match(splitScripts(a.text));
    base.faq = faq;
    const weakCue = bestCue(weakCues, presentMask, matches);
    if (closure || failure) {
      // Something of the seller's got closed or broke: no answer covers that (a hacked account does).
      // A buyer who went quiet or a fake buyer is something the FAQ answers (buyer-inquiries, account-security).
      // A question about one's money ("buyer payment is stuck, when will it come to me") is the payments answer's.
      const security = (present.has("security") || present.has("buyer") || (asking && present.has("money"))) && faq.decision === "confident";
      const beside = security ? undefined : questionBesideComplaint(a.text, depth);
      if (beside) return { ...beside, lang, complaint: true, reason: `a question beside a complaint: ${beside.reason}` };
      const answered = faq.decision === "confident" && faq.score >= COMPLAINT_FAQ_BAR && faq.topic && !ROUTING_TOPIC_INTENTS[faq.topic];
      if (!security && (present.has("otherobject") || !answered)) return out("none", "a complaint the FAQ does not answer", 0.7);
    }
    // An everyday subject (weather, gold, a school, a visa) with no word of the marketplace is
    // not an onboarding question, however well its other words ("fees", "documents") match.
    if (present.has("offtopic") && !present.has("domain") && faq.decision !== "none") return out("none", "an everyday subject, not the marketplace", 0.7);
    // A long story before the question (three clauses or more): the question alone decides
    // when the FAQ is sure of it and reads another ordinary topic than the story's.
    const intro = faq.decision === "confident" && faq.topic && !ROUTING_TOPIC_INTENTS[faq.topic] && tokens.length > LONG_INTRO_TOKENS ? questionAfterIntro(a.text, depth, 3) : undefined;
    if (intro && intro.topic !== faq.topic) return out("faq", `FAQ topic ${intro.topic} in the question after an introduction`, intro.score, { faq: intro });
    if (faq.decision === "confident" && faq.topic) {
      const routed = routeTopic(faq.topic, present, tokens, stopBlocked);
      if (routed) return out(routed.intent, `FAQ routing topic ${faq.topic}`, faq.score, routed.extra);
      if (!ROUTING_TOPIC_INTENTS[faq.topic]) return out("faq", `FAQ topic ${faq.topic}`, faq.score);
      // A routing topic the message says nothing about: the best ordinary topic, if any.
      const alt = faq.ranked.find((r) => !ROUTING_TOPIC_INTENTS[r.topic] && r.score >= thresholds.unsure);
      if (alt) return out("faq", `FAQ topic ${alt.topic} (routing topic ${faq.topic} unsupported)`, alt.score, { faq: { ...faq, topic: alt.topic, score: alt.score } });
    }
    // "I am a glove maker from Sialkot, we never exported, how do I open an account": the
    // introduction drowns the question; the last clauses alone may be clear.
    const asked = faq.decision === "confident" || tokens.length < INTRO_MIN_TOKENS ? undefined : questionAfterIntro(a.text, depth);
    if (asked) return out("faq", `FAQ topic ${asked.topic} in the question after an introduction`, asked.score, { faq: asked });
    if (weakCue) return out(weakCue.intent, `weak cue "${weakCue.p.text}"`, 0.6);
    if (faq.decision === "unsure") {
      const top = faq.ranked[0];
      const routed = top ? routeTopic(top.topic, present, tokens, stopBlocked) : undefined;
      if (routed) return out(routed.intent, `FAQ routing topic ${top!.topic} (unsure)`, top!.score, routed.extra);
      return out("faq", "FAQ unsure", faq.score);
    }
    return out("none", "nothing fits", 1 - faq.score);
  }

  /** The category of one entry that covers the message once filler words at either end are set aside. */
  function wholeEntry(set: EntrySet, tokens: Token[]): Intent | undefined {
    let from = 0;
    let to = tokens.length;
    while (from < to && filler.longestAt(tokens, from)?.len === 1 && set.longestAt(tokens, from)?.len !== to - from) from++;
    while (to > from && filler.longestAt(tokens.slice(0, to), to - 1)?.len === 1 && set.longestAt(tokens.slice(0, to), from)?.len !== to - from) to--;
    const m = set.longestAt(tokens.slice(0, to), from);
    return m && m.len === to - from ? (m.category as Intent) : undefined;
  }

  /**
   * STOP or unsubscribe named as the bot's keyword, not as a verb with another object ("if i
   * stop my ads …" is about the ads): the next word, past "my" and glue words, is no other object.
   */
  function stopQuestion(tokens: Token[], at: ConceptMap): boolean {
    for (let i = 0; i < tokens.length; i++) {
      const len = at[i]!.get("stopkeyword");
      if (!len) continue;
      let j = i + len;
      while (j < tokens.length && (at[j]!.has("my") || at[j]!.has("glue"))) j++;
      if (j >= tokens.length || !(at[j]!.has("otherobject") || at[j]!.has("buyer"))) return true;
    }
    return false;
  }

  /**
   * The FAQ's confident answer to the last clause, or the last two, of a message of several
   * clauses (an introduction, then the question): an ordinary topic only.
   */
  function questionAfterIntro(text: string, depth: number, minClauses = 2): FaqView | undefined {
    if (depth > 0) return undefined;
    const clauses = clausesOf(text);
    if (clauses.length < minClauses) return undefined;
    for (let from = clauses.length - 1; from >= Math.max(1, clauses.length - 2); from--) {
      const m = parts.faq.match(splitScripts(clauses.slice(from).join(". ")));
      if (m.decision === "confident" && m.topic && !ROUTING_TOPIC_INTENTS[m.topic]) return m;
    }
    return undefined;
  }

  /**
   * A complaint in one clause and a question in another ("how can i stop my paid ads for a
   * month, shop is closed for renovation"): the question, when the FAQ answers it on its own.
   */
  function questionBesideComplaint(text: string, depth: number): Understanding | undefined {
    if (depth > 0) return undefined;
    const clauses = clausesOf(text);
    if (clauses.length < 2) return undefined;
    const rest = clauses.filter((c) => complaints.categoriesIn(read(tokenize(c))).size === 0);
    if (rest.length === 0 || rest.length === clauses.length) return undefined;
    const u = understandAt(rest.join(". "), depth + 1);
    const answered = u.intent === "faq" && u.faq?.decision === "confident" && u.faq.score >= COMPLAINT_FAQ_BAR;
    return answered ? u : undefined;
  }

  /** Token spans of the complaint markers in a message. */
  function complaintSpans(tokens: Token[]): Span[] {
    const spans: Span[] = [];
    for (let i = 0; i < tokens.length; i++) for (const m of complaints.matchesAt(tokens, i)) spans.push({ start: i, end: i + m.len });
    return spans;
  }

  /**
   * True when every token is inside an opt-out phrase's span (or an annoyance one's: "bas karo,
   * roz roz ke messages"), of a frame word class
   * (opt-out.json frameClasses) or a free word (filler, greetings, thanks, frameAround).
   */
  function withinFrame(tokens: Token[], at: ConceptMap, spans: Span[]): boolean {
    const covered = new Array<boolean>(tokens.length).fill(false);
    const mark = (from: number, to: number) => {
      for (let k = from; k < to && k < tokens.length; k++) covered[k] = true;
    };
    for (const s of spans) mark(s.start, s.end);
    for (let i = 0; i < tokens.length; i++) {
      for (const [c, len] of at[i]!) if (frameClasses.has(c)) mark(i, i + len);
      for (const m of frameFree.matchesAt(tokens, i)) mark(i, i + m.len);
    }
    return covered.every(Boolean);
  }

  /** The intent of a routing topic when the message supports it, with its entities. */
  function routeTopic(topic: string, present: Set<string>, tokens: Token[], stopBlocked: boolean): { intent: Intent; extra: Partial<Understanding> } | undefined {
    const intent = ROUTING_TOPIC_INTENTS[topic];
    if (!intent || (intent === "optout" && stopBlocked)) return undefined;
    // Talking with a buyer ("buyer ne baat karna band kar diya") is not asking for a person here.
    if (intent === "human" && present.has("buyer") && !present.has("human") && !present.has("person")) return undefined;
    const support = TOPIC_SUPPORT[topic] ?? [];
    const has = (c: string) => (c === "eventregister" ? present.has("event") && (present.has("register") || present.has("answered")) : present.has(c));
    // "what is left" supports the checklist only when nothing else is named ("kitni payment baqi hai" is money).
    const onlyRemaining = topic === "listing-progress" && !has("progress") && !has("show");
    if ((support.length > 0 && !support.some(has)) || (onlyRemaining && (present.has("otherobject") || present.has("money")))) {
      const fallback = TOPIC_FALLBACK[topic];
      return fallback ? routeTopic(fallback, present, tokens, stopBlocked) : undefined;
    }
    if (intent === "optout") return { intent, extra: { optOut: "maybe" } };
    if (intent === "language") {
      const lang = languageName(tokens);
      return { intent, extra: lang ? { entities: { lang } } : {} };
    }
    return { intent, extra: {} };
  }

  /** The language a message names (the longest name: "roman urdu" over "urdu"), and the other tokens. */
  function languageParts(tokens: Token[]): { lang?: "en" | "ur" | "ur-Latn"; rest: Token[]; instead?: boolean } {
    let lang: "en" | "ur" | "ur-Latn" | undefined;
    let longest = 0;
    const rest: Token[] = [];
    const named: Array<{ lang: "en" | "ur" | "ur-Latn"; at: number; len: number }> = [];
    for (let i = 0; i < tokens.length; ) {
      const m = languageNames.longestAt(tokens, i);
      if (m) {
        named.push({ lang: m.category as "en" | "ur" | "ur-Latn", at: i, len: m.len });
        if (m.len > longest) [lang, longest] = [m.category as "en" | "ur" | "ur-Latn", m.len];
        i += m.len;
      } else rest.push(tokens[i++]!);
    }
    const chosen = insteadOfHard(tokens, named);
    if (chosen) return { lang: chosen, rest: rest.filter((_, i) => !languageHard.has([rest[i]!])), instead: true };
    return lang ? { lang, rest } : { rest };
  }

  /**
   * Two languages named, one of them said to be hard ("english please, i dont read urdu well",
   * "مجھے اردو پڑھنی مشکل لگتی ہے انگریزی میں لکھیں"): the other is the one asked for.
   */
  function insteadOfHard(tokens: Token[], named: Array<{ lang: "en" | "ur" | "ur-Latn"; at: number; len: number }>): "en" | "ur" | "ur-Latn" | undefined {
    if (new Set(named.map((n) => n.lang)).size !== 2 || !languageHard.has(tokens)) return undefined;
    // Each hard word belongs to the nearest name within a few words, before or after it.
    const hard = new Set<number>();
    for (let i = 0; i < tokens.length; i++) {
      const m = languageHard.longestAt(tokens, i);
      if (!m) continue;
      const gap = (n: (typeof named)[number]) => (n.at >= i + m.len ? n.at - (i + m.len) : i - (n.at + n.len));
      const nearest = named.map((n, k) => ({ k, d: gap(n) })).filter((x) => x.d >= 0 && x.d <= LANGUAGE_HARD_WINDOW).sort((x, y) => x.d - y.d)[0];
      if (nearest) hard.add(nearest.k);
    }
    const easy = named.filter((_, k) => !hard.has(k));
    const langs = new Set(easy.map((n) => n.lang));
    return langs.size === 1 && easy.length < named.length ? [...langs][0] : undefined;
  }

  /** Words of a message that are not filler, glue or a word around a language switch. */
  function countOther(rest: Token[]): number {
    let n = 0;
    for (let i = 0; i < rest.length; ) {
      const m = filler.longestAt(rest, i) ?? languageAround.longestAt(rest, i) ?? glueWords.longestAt(rest, i);
      if (m) i += m.len;
      else [n, i] = [n + 1, i + 1];
    }
    return n;
  }

  function languageName(tokens: Token[]): "en" | "ur" | "ur-Latn" | undefined {
    return languageParts(tokens).lang;
  }

  /** A language switch: a name alone, a language word (with a name or a change), or a name with reply/talk. */
  function languageOf(tokens: Token[], present: Set<string>): { lang?: "en" | "ur" | "ur-Latn"; reason: string } | undefined {
    const { lang, rest, instead } = languageParts(tokens);
    // The other language of one said to be hard is asked for, with a short reason around it.
    if (lang && instead && countOther(rest) <= 6 && !present.has("otherobject")) return { lang, reason: "a language instead of a hard one" };
    const restCovered = rest.length === 0 || languageAround.cover(rest, filler) !== null || filler.cover(rest) !== null;
    if (lang && restCovered) return { lang, reason: "language name" };
    const word = present.has("language");
    if (word && (lang || present.has("change") || restCovered || rest.length <= 2)) return { ...(lang ? { lang } : {}), reason: "language word" };
    // Politeness and the words around a switch do not count: "براہ کرم آئندہ سارے جواب اردو میں دیا کریں".
    if (lang && present.has("reply") && countOther(rest) <= 6 && !present.has("otherobject")) return { lang, reason: "language name with reply" };
    return undefined;
  }

  /** A progress report: a stage (or a product count) with a done verb; not a question, not negated. */
  function reportOf(tokens: Token[], present: Set<string>, questionMark: boolean): Entities | undefined {
    // A how-to request ("tips for answering inquiries", "registration k steps") reports nothing;
    // nor does a break-in ("mera account hack ho gaya": done, but no step of the seller's).
    if (questionMark || present.has("question") || present.has("howto") || present.has("security") || notYet.has(tokens)) return undefined;
    const isDone = done.has(tokens);
    const count = countOf(tokens);
    const entities: Entities = {};
    if (count !== undefined && (isDone || listing.has(tokens))) entities.count = count;
    if (!isDone && entities.count === undefined) return undefined;
    const stage = furthestStage(stagePhrases, tokens) ?? (entities.count === undefined ? furthestStage(stageWords, tokens) : undefined);
    if (stage) entities.stage = stage;
    return entities.stage || entities.count !== undefined ? entities : undefined;
  }

  /**
   * The stage a report names: one whose word is itself the done verb ("my account is verified
   * now", "my store is verified": verification), else the furthest named ("store bana li aur
   * pehla product daal diya": the first product; the store came before it).
   */
  function furthestStage(set: EntrySet, tokens: Token[]): string | undefined {
    let best: string | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const m = set.longestAt(tokens, i);
      if (!m) continue;
      if (done.longestAt(tokens, i)?.len === m.len) return m.category;
      if (best === undefined || stageOrder.get(m.category)! > stageOrder.get(best)!) best = m.category;
    }
    return best;
  }

  /** A word that may name the goods between a number and its noun ("12 leather jackets"). */
  function productWord(t: Token | undefined): boolean {
    return t !== undefined && !t.numeric && (t.raw === "new" || t.raw === "naye" || !lexVocabulary.has(t.key) || offtopicKeys.has(t.key));
  }

  /** A count: digits or a number word next to a countable noun ("12 products", "baara products"). */
  function countOf(tokens: Token[]): number | undefined {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      let value: number | undefined;
      let len = 1;
      if (t.numeric) value = Number(t.raw);
      else {
        const m = numberWords.longestAt(tokens, i);
        if (m) [value, len] = [Number(m.category), m.len];
      }
      if (value === undefined || !Number.isSafeInteger(value)) continue;
      // "twenty three", "sixty one": a tens word and a unit word make one number.
      if (!t.numeric && value >= 20 && value <= 90 && value % 10 === 0) {
        const unit = numberWords.longestAt(tokens, i + len);
        if (unit && Number(unit.category) >= 1 && Number(unit.category) <= 9) [value, len] = [value + Number(unit.category), len + unit.len];
      }
      // "5 lakh", "2 hazar", "ek million": a multiplier right after the number.
      const times = numberWords.longestAt(tokens, i + len);
      if (times && Number(times.category) >= 100) [value, len] = [value * Number(times.category), len + times.len];
      // Up to two words may stand between the number and the noun: "new" or what the products
      // are ("twenty glove models", "12 leather jackets", "15 football designs"): words no
      // lexicon knows, or everyday subjects that are also goods.
      let next = i + len;
      while (next < i + len + 2 && countable.matchesAt(tokens, next).length === 0 && productWord(tokens[next])) next++;
      if (countable.matchesAt(tokens, next).length > 0 || (i > 0 && countable.matchesAt(tokens, i - 1).length > 0 && t.numeric)) return value;
    }
    return undefined;
  }

  /** The message is one word class (plus filler): "partner", "events", "progress". */
  function soloOf(tokens: Token[], at: ConceptMap): Intent | undefined {
    for (const [concept, intent] of Object.entries(SOLO)) {
      for (let i = 0; i < tokens.length; i++) {
        const len = at[i]!.get(concept);
        if (!len) continue;
        const rest = [...tokens.slice(0, i), ...tokens.slice(i + len)];
        if (rest.length === 0 || filler.cover(rest) !== null) return intent;
      }
    }
    return undefined;
  }

  /** A town alone or a sentence that only says where the sender is; also "I am in <unknown town>". */
  function locatedOf(tokens: Token[], place: PlaceRef | undefined, text: string): { reason: string; unknown?: string } | undefined {
    if (place) {
      const placeKeys = new Set(tokenize(place.words).map((t) => t.key));
      const rest = tokens.filter((t) => !placeKeys.has(t.key));
      if (rest.length === 0 || placeAround.cover(rest, filler) !== null || filler.cover(rest) !== null) return { reason: "a town or where the sender is" };
      return undefined;
    }
    const k = keyText(text);
    for (const re of SURELY_LOCATED) {
      const m = re.exec(k);
      const name = m?.groups?.place?.trim();
      if (name && !tokenize(name).some((t) => known.has(t.key) || known.has(t.raw) || neverPlace.has(t.key))) return { reason: "where the sender is (unknown town)", unknown: name };
    }
    return undefined;
  }

  return { understand };
}

/** Bot commands without arguments that are intents (the others are features' own: /linkcode, /broadcast …). */
const COMMANDS: Record<string, Intent> = {
  start: "menu",
  help: "menu",
  menu: "menu",
  stop: "optout",
  unsubscribe: "optout",
  subscribe: "optin",
  language: "language",
  lang: "language",
  events: "events.list",
  progress: "progress.show",
  partners: "partner.find",
  nearest: "partner.find",
};

/** Sentences that surely name where the sender is, even when the town is unknown. */
const SURELY_LOCATED = [
  /^(?:i am|i m|im|i live|we are|i stay) (?:in|at|from) (?<place>\S+(?: \S+)?)$/,
  /^(?:main|mai|mein|me|hum) (?<place>\S+(?: \S+)?) (?:se|sy|say) (?:hun|hoon|hon|hu|hain)$/,
  /^(?:main|mai|mein|me|hum) (?<place>\S+(?: \S+)?) (?:mein|main|mai|me) (?:rehta|rehti|rahta|rahti|rehte) (?:hun|hoon|hon|hu|hain)$/,
  /^میں (?<place>\S+(?: \S+)?) سے (?:ہوں|ہیں)$/,
  /^میں (?<place>\S+(?: \S+)?) میں (?:رہتا|رہتی) ہوں$/,
];

/** The understanding: the base facts, the decision, and the entities the intent carries. */
function finish(base: Understanding, intent: Intent, reason: string, confidence: number, extra: Partial<Understanding> = {}): Understanding {
  const u = { ...base, ...extra, intent, reason, confidence: Math.round(confidence * 1000) / 1000 };
  u.entities = pick({ ...base.entities, ...extra.entities }, ["place", ...(ENTITY_KEYS[intent] ?? [])]);
  return u;
}

function pick(entities: Entities, keys: Array<keyof Entities>): Entities {
  const out: Entities = {};
  for (const k of keys) if (entities[k] !== undefined) (out as Record<string, unknown>)[k] = entities[k];
  return out;
}

function answerOf(categories: Set<string> | null): FlowAnswer | undefined {
  if (!categories || categories.size !== 1) return undefined;
  return [...categories][0] as FlowAnswer;
}

/**
 * True when, besides an RSVP phrase, the message has at most three words that are not filler,
 * glue or a yes ("haan ji hum 2 log aayenge"). A condition ends the count: what follows "if" /
 * "agar" / "depends on" qualifies the answer ("ho sakta hai aa jaun agar tabiyat theek rahi").
 */
function fewOtherWords(tokens: Token[], words: EntrySet, at: ConceptMap, filler: EntrySet, yes: EntrySet): boolean {
  let other = 0;
  for (let i = 0; i < tokens.length; ) {
    if (at[i]?.has("condition") && words.longestAt(tokens, i) === undefined) break;
    const m = words.longestAt(tokens, i) ?? filler.longestAt(tokens, i) ?? yes.longestAt(tokens, i);
    if (m) {
      i += m.len;
      continue;
    }
    if (!at[i]?.has("glue")) other += 1;
    i += 1;
  }
  return other <= 3;
}

/** Words between a language's name and what says it is hard ("urdu parhni mushkil", "dont read urdu"). */
const LANGUAGE_HARD_WINDOW = 3;

/** Longest greeting read for a town in it ("salaam from the sialkot team, hope all is well"). */
const GREETING_FROM_MAX_TOKENS = 10;

/** Most clauses read for an opt-out beside an aside (a longer message is not a request plus its reason). */
const ASIDE_MAX_CLAUSES = 4;

/** Word classes that make a clause more than an aside beside an opt-out: it may say what is to stop. */
const ASIDE_BLOCKERS = ["msg", "mlist", "stopverb", "remove", "neg", "negimp", "sendimp"] as const;

/** The clauses of a text: split at commas, full stops, question and exclamation marks (both scripts), semicolons and line breaks. */
function clausesOf(text: string): string[] {
  return text.split(/[,.;!?\n\u060C\u061B\u061F\u06D4]+/u).map((c) => c.trim()).filter((c) => c.length > 0);
}

/** The RSVP answer the message gives: no beats maybe beats going ("maybe I will come" is maybe). */
function rsvpOf(words: EntrySet, tokens: Token[]): RsvpValue | undefined {
  let best: RsvpValue | undefined;
  for (let i = 0; i < tokens.length; i++) {
    for (const m of words.matchesAt(tokens, i)) {
      const value = m.category as RsvpValue;
      if (!best || RSVP_ORDER.indexOf(value) < RSVP_ORDER.indexOf(best)) best = value;
    }
  }
  return best;
}

function smallTalkKind(categories: Set<string>): Intent {
  for (const kind of ["bye", "thanks", "greeting", "ack"] as const) if (categories.has(kind)) return kind;
  return "ack";
}

/** Emoji only: thanks / greeting / bye / ack by the lists; any other emoji (😂) is not understood. */
function emojiKind(lists: Lexicons["small-talk"]["emoji"], emoji: string[]): Intent {
  for (const kind of ["thanks", "greeting", "bye", "ack"] as const) if (emoji.some((e) => lists[kind].includes(e))) return kind;
  return "none";
}

/** The word classes present anywhere in the message. */
function presentConcepts(at: ConceptMap): Set<string> {
  const out = new Set<string>();
  for (const m of at) for (const k of m.keys()) out.add(k);
  return out;
}

interface Span {
  start: number;
  end: number;
}

/** The spans of every matching opt-out phrase (first match of each). */
function optOutSpans(phrases: Pattern[], tokens: Token[], at: ConceptMap, glue: boolean[], present: Set<string>): Span[] {
  const spans: Span[] = [];
  next: for (const p of phrases) {
    for (const c of p.concepts) if (!present.has(c)) continue next;
    const m = matchPattern(p, tokens, at, glue);
    if (m) spans.push(m);
  }
  return spans;
}

/**
 * Whether an opt-in phrase asks to resume: clear of every opt-out phrase, or with an again or
 * subscribe word of its own. "stop sending me these announcements" overlaps "sending me …
 * announcements", which is the stop's object; "i had unsubscribed, start the announcements
 * again" resumes.
 */
function optInOutsideStop(optIn: Pattern[], optOut: Pattern[], tokens: Token[], at: ConceptMap, glue: boolean[], present: Set<string>): boolean {
  const stops = optOutSpans(optOut, tokens, at, glue, present);
  const resumes = (s: Span) => at.slice(s.start, s.end).some((m) => m.has("again") || m.has("subscribe"));
  return optOutSpans(optIn, tokens, at, glue, present).some((s) => resumes(s) || !stops.some((t) => t.start < s.end && s.start < t.end));
}

/** Tests patterns against one message; a pattern whose word classes are absent is skipped at once. */
function matcher(tokens: Token[], at: ConceptMap, glue: boolean[], present: Set<string>): (p: Pattern) => boolean {
  let words: Set<string> | undefined;
  return function matches(p) {
    for (const c of p.concepts) if (!present.has(c)) return false;
    const need = literalsOf(p);
    if (need.length > 0) {
      words ??= new Set(tokens.flatMap((t) => [`k ${t.key}`, `r ${t.raw}`]));
      for (const w of need) if (!words.has(w)) return false;
    }
    return matchPattern(p, tokens, at, glue) !== null;
  };
}

/**
 * The patterns of `list` a message could match, in the list's order: a pattern whose first word
 * (key or raw form) the message lacks cannot match, and is left out; patterns that start with a
 * word class or a prefix are always kept.
 */
function patternIndex(list: Pattern[]): (tokens: Token[]) => Pattern[] {
  const byWord = new Map<string, number[]>();
  const always: number[] = [];
  list.forEach((p, i) => {
    const first = literalsOf(p)[0];
    if (first === undefined) return void always.push(i);
    byWord.set(first, [...(byWord.get(first) ?? []), i]);
  });
  return (tokens) => {
    const picked = new Set(always);
    for (const t of tokens) {
      for (const i of byWord.get(`k ${t.key}`) ?? []) picked.add(i);
      for (const i of byWord.get(`r ${t.raw}`) ?? []) picked.add(i);
    }
    return [...picked].sort((a, b) => a - b).map((i) => list[i]!);
  };
}

/** The word atoms of a pattern's parts (its words, keys or raw forms; not its word classes). */
function* wordAtoms(p: Pattern) {
  for (const part of p.parts) if ("atoms" in part) yield* part.atoms;
}

const LITERALS = new WeakMap<Pattern, string[]>();

/**
 * The exact words (keys and raw forms) a pattern needs somewhere in the message: most cues are
 * words, not word classes, and a message without one of them is skipped before the token scan.
 */
function literalsOf(p: Pattern): string[] {
  let out = LITERALS.get(p);
  if (!out) {
    out = [];
    for (const a of wordAtoms(p)) if (a.kind === "key") out.push(`k ${a.key}`); else if (a.kind === "raw") out.push(`r ${a.raw}`);
    LITERALS.set(p, out);
  }
  return out;
}

function cueRank(intent: Intent): number {
  const r = CUE_PRIORITY.indexOf(intent);
  return r < 0 ? CUE_PRIORITY.length : r;
}

/**
 * The cues in the order {@link bestCue} tries them: most parts first, ties by
 * {@link CUE_PRIORITY}, then as written (a stable sort), so the first cue that matches is the best.
 */
function bySpecificity(cues: Cue[], maskOf: (concepts: Iterable<string>) => Uint32Array): RankedCue[] {
  return cues
    .map((c, i) => ({ c, i, rank: cueRank(c.intent) }))
    .sort((a, b) => b.c.p.parts.length - a.c.p.parts.length || a.rank - b.rank || a.i - b.i)
    .map(({ c }) => ({ ...c, need: maskOf(c.p.concepts), stop: maskOf(c.unless) }));
}

/** A cue with its word classes as bit masks (see maskOf in createUnderstander). */
interface RankedCue extends Cue {
  /** The classes its pattern needs. */
  need: Uint32Array;
  /** Its `unless` classes. */
  stop: Uint32Array;
}

/**
 * The most specific cue (most parts), ties by {@link CUE_PRIORITY}, then the one written first.
 * `cues` come from {@link bySpecificity}: the first that matches is the answer (no need to try the rest).
 */
function bestCue(cues: CueIndex, present: Uint32Array, matches: (p: Pattern) => boolean): Cue | undefined {
  next: for (const i of cues.candidates(present)) {
    const c = cues.list[i]!;
    for (let w = 0; w < present.length; w++) if ((c.stop[w]! & present[w]!) !== 0 || (c.need[w]! & ~present[w]!) !== 0) continue next;
    if (matches(c.p)) return c;
  }
  return undefined;
}

/** Ranked cues with, for each word class, the cues keyed on it (see {@link indexCues}). */
interface CueIndex {
  list: RankedCue[];
  /** Positions in `list`, ascending, of the cues whose key class is present (or that need none). */
  candidates(present: Uint32Array): number[];
}

/**
 * Each cue is keyed on the one class it needs that the fewest cues need: a cue whose key class
 * is absent cannot match, so a message tries only the cues of its own classes (a few dozen of
 * hundreds), still in the ranked order, so the first that matches is the same cue as before.
 */
function indexCues(list: RankedCue[]): CueIndex {
  const bitsOf = (mask: Uint32Array) => {
    const bits: number[] = [];
    for (let w = 0; w < mask.length; w++) for (let b = 0; b < 32; b++) if (mask[w]! & (1 << b)) bits.push(w * 32 + b);
    return bits;
  };
  const uses = new Map<number, number>();
  const needs = list.map((c) => bitsOf(c.need));
  for (const bits of needs) for (const b of bits) uses.set(b, (uses.get(b) ?? 0) + 1);
  const byBit = new Map<number, number[]>();
  const always: number[] = [];
  needs.forEach((bits, i) => {
    if (bits.length === 0) return void always.push(i);
    const key = bits.reduce((a, b) => (uses.get(b)! < uses.get(a)! ? b : a));
    byBit.set(key, [...(byBit.get(key) ?? []), i]);
  });
  const keyed = [...byBit.entries()];
  return {
    list,
    candidates(present) {
      const out = always.slice();
      for (const [bit, cues] of keyed) if (present[bit >>> 5]! & (1 << (bit & 31))) out.push(...cues);
      return out.sort((a, b) => a - b);
    },
  };
}

/**
 * Roman Urdu typed without its vowels, as in SMS ("skty" for sakte, "krte" for karte, "phr" for
 * phir): a Latin word no lexicon or FAQ example knows is read as the one lexicon word with the
 * same first letter, consonants in order and last letter. Skipped when two words share them
 * ("hn": hain or hun), so it only ever picks a word the spelling leaves no doubt about.
 */
function createVowellessReader(vocabulary: string[], known: ReadonlySet<string>): (t: Token) => Token {
  const skeleton = (w: string) => w[0]! + w.slice(1, -1).replace(/[aeiou]/g, "") + w[w.length - 1]!;
  const bySkeleton = new Map<string, string | null>();
  for (const w of vocabulary) {
    const k = skeleton(w);
    const seen = bySkeleton.get(k);
    bySkeleton.set(k, seen === undefined || seen === w ? w : null);
  }
  return (t) => {
    // Only words typed without inner vowels: "bus" is an English word, not "bas".
    if (t.numeric || t.key.length < 3 || known.has(t.key) || known.has(t.raw) || !/^[a-z][^aeiou]+[a-z]$/.test(t.key)) return t;
    const w = bySkeleton.get(skeleton(t.key));
    return w ? { ...t, key: w } : t;
  };
}

/** Maps a Latin word the lexicons do not know onto one of their words one edit away (same first letter). */
function createSpellingFixer(vocabulary: string[], known: ReadonlySet<string>): (t: Token) => Token {
  const byDelete = new Map<string, string[]>();
  const put = (k: string, w: string) => {
    const list = byDelete.get(k);
    if (list) list.push(w);
    else byDelete.set(k, [w]);
  };
  for (const w of vocabulary) {
    put(w, w);
    for (let i = 0; i < w.length; i++) put(w.slice(0, i) + w.slice(i + 1), w);
  }
  const cache = new Map<string, string | null>();
  return (t) => {
    if (t.numeric || known.has(t.key) || known.has(t.raw) || !/^[a-z]{5,}$/.test(t.key)) return t;
    let fixed = cache.get(t.key);
    if (fixed === undefined) {
      const k = t.key;
      const candidates = new Set<string>([...(byDelete.get(k) ?? [])]);
      for (let i = 0; i < k.length; i++) for (const w of byDelete.get(k.slice(0, i) + k.slice(i + 1)) ?? []) candidates.add(w);
      fixed = [...candidates].find((w) => w[0] === k[0] && withinOneEdit(k, w)) ?? null;
      if (cache.size < 20_000) cache.set(k, fixed);
    }
    return fixed ? { ...t, key: fixed } : t;
  };
}
